// Just enough multipart/form-data to take ChartMuseum-style uploads (`curl -F chart=@x.tgz`): the parts of a body
// already read into memory (its size is bounded by --max-upload-size), with their field names and file names.

export interface FormPart {
  name: string;
  fileName?: string;
  data: Buffer;
}

/** The boundary of a multipart/form-data Content-Type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function dispositionParam(header: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;\\s]+)`, 'i').exec(header);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/** Splits a multipart body into parts; throws an Error with a plain message when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break; // closing delimiter
    // Skip the line break after the delimiter.
    if (body[position] === 13 && body[position + 1] === 10) position += 2;
    else if (body[position] === 10) position += 1;
    else throw new Error('malformed multipart delimiter line');
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) throw new Error('multipart part without a header end');
    const headers = body.subarray(position, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('multipart part without a closing boundary');
    const disposition = headers.find((h) => /^content-disposition:/i.test(h));
    if (disposition) {
      const name = dispositionParam(disposition, 'name');
      if (name !== undefined)
        parts.push({
          name,
          fileName: dispositionParam(disposition, 'filename'),
          data: body.subarray(headerEnd + 4, next),
        });
    }
    position = next + 2;
  }
  return parts;
}
