// The sandbox's reader of Kubernetes protobuf bodies, on messages written field by field here.
import { describe, expect, it } from 'vitest';
import { decodeKubeProtobuf, ProtobufError } from '../../src/sandbox/protobuf.js';

// A minimal protobuf writer: a message is a list of [field number, value] where a value is a bigint or number
// (varint), a string or Buffer (length-delimited) or a nested message.
type Message = Array<[number, bigint | number | string | Buffer | Message]>;

function varint(n: bigint): Buffer {
  let v = n < 0n ? n + 2n ** 64n : n;
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}

function encode(message: Message): Buffer {
  const parts: Buffer[] = [];
  for (const [num, value] of message) {
    if (typeof value === 'number' || typeof value === 'bigint')
      parts.push(varint(BigInt(num * 8)), varint(BigInt(value)));
    else {
      const body = typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : encode(value);
      parts.push(varint(BigInt(num * 8 + 2)), varint(BigInt(body.length)), body);
    }
  }
  return Buffer.concat(parts);
}

function envelope(apiVersion: string, kind: string, raw: Message): Buffer {
  return Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    encode([
      [
        1,
        [
          [1, apiVersion],
          [2, kind],
        ],
      ],
      [2, encode(raw)],
    ]),
  ]);
}

describe('decodeKubeProtobuf', () => {
  it('turns a Deployment into its JSON form: zeros Go always writes are dropped, meaningful zeros kept', () => {
    const container: Message = [
      [1, 'web'],
      [2, 'nginx:1.27'],
      [
        6,
        [
          [3, 8080],
          [4, 'TCP'],
        ],
      ], // ports: containerPort, protocol
      [
        8,
        [
          [
            1,
            [
              [1, 'cpu'],
              [2, [[1, '500m']]],
            ],
          ],
        ],
      ], // resources.limits: {cpu: 500m}
      [13, ''], // terminationMessagePath written empty
      [16, 0], // stdin false
    ];
    const body = envelope('apps/v1', 'Deployment', [
      [
        1,
        [
          [1, 'web'],
          [
            11,
            [
              [1, 'app'],
              [2, 'web'],
            ],
          ],
          [7, 0],
        ],
      ], // metadata: name, labels, generation 0
      [
        2,
        [
          [1, 0], // replicas: 0 (a pointer: kept)
          [
            2,
            [
              [
                1,
                [
                  [1, 'app'],
                  [2, 'web'],
                ],
              ],
            ],
          ], // selector.matchLabels
          [
            3,
            [
              [
                1,
                [
                  [
                    11,
                    [
                      [1, 'app'],
                      [2, 'web'],
                    ],
                  ],
                ],
              ],
              [2, [[2, container]]],
            ],
          ], // template
          [
            4,
            [
              [1, 'RollingUpdate'],
              [
                2,
                [
                  [
                    1,
                    [
                      [1, 1],
                      [3, '25%'],
                    ],
                  ],
                  [
                    2,
                    [
                      [1, 0],
                      [2, 1],
                    ],
                  ],
                ],
              ],
            ],
          ], // strategy with intstr
          [5, 0], // minReadySeconds 0: dropped
          [6, -1n], // revisionHistoryLimit -1 (a ten-byte varint)
        ],
      ],
    ]);
    expect(decodeKubeProtobuf(body)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
                resources: { limits: { cpu: '500m' } },
              },
            ],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } },
        revisionHistoryLimit: -1,
      },
    });
  });

  it('inlines the structs Go embeds, and reads times, bytes and DeleteOptions', () => {
    const ingress = envelope('networking.k8s.io/v1', 'Ingress', [
      [
        1,
        [
          [1, 'ing'],
          [8, [[1, 1700000000]]],
        ],
      ], // creationTimestamp
      [
        2,
        [
          [
            3,
            [
              [1, 'a.example.com'],
              [
                2,
                [
                  [
                    1,
                    [
                      [
                        1,
                        [
                          [1, '/'],
                          [3, 'Prefix'],
                          [
                            2,
                            [
                              [
                                4,
                                [
                                  [1, 'svc'],
                                  [2, [[2, 80]]],
                                ],
                              ],
                            ],
                          ],
                        ],
                      ],
                    ],
                  ],
                ],
              ],
            ],
          ],
        ],
      ],
    ]);
    expect(decodeKubeProtobuf(ingress)).toMatchObject({
      metadata: { name: 'ing', creationTimestamp: '2023-11-14T22:13:20Z' },
      spec: {
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }],
            },
          },
        ],
      },
    });
    const secret = envelope('v1', 'Secret', [
      [1, [[1, 's']]],
      [
        2,
        [
          [1, 'k'],
          [2, Buffer.from([0, 255])],
        ],
      ],
      [3, 'Opaque'],
    ]);
    expect(decodeKubeProtobuf(secret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { k: 'AP8=' },
      type: 'Opaque',
    });
    const options = envelope('', 'DeleteOptions', [
      [1, 0],
      [4, 'Foreground'],
      [5, 'All'],
    ]);
    expect(decodeKubeProtobuf(options)).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  it('refuses what it cannot read with a message naming the problem', () => {
    expect(() => decodeKubeProtobuf(Buffer.from('{"kind":"Pod"}'))).toThrow(
      new ProtobufError('missing k8s protobuf envelope'),
    );
    expect(() => decodeKubeProtobuf(envelope('storage.k8s.io/v1', 'StorageClass', []))).toThrow(
      'protobuf bodies of storage.k8s.io/v1 StorageClass are not supported by the sandbox; send JSON',
    );
    const truncated = envelope('v1', 'ConfigMap', [[1, [[1, 'cm']]]]);
    expect(() => decodeKubeProtobuf(truncated.subarray(0, truncated.length - 2))).toThrow(ProtobufError);
    expect(() => decodeKubeProtobuf(envelope('v1', 'ConfigMap', [[1, 5]]))).toThrow(
      'field metadata: wire type 0, expected length-delimited',
    );
  });
});
