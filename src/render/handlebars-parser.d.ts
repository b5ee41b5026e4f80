// Types for the one handlebars compiler module portolan imports alone: the whitespace-control visitor. portolan
// parses templates itself (Helm habits included) and runs them with its own interpreter.
declare module 'handlebars/dist/cjs/handlebars/compiler/whitespace-control.js' {
  export default class WhitespaceControl {
    constructor(options?: { ignoreStandalone?: boolean });
    accept(node: hbs.AST.Program): hbs.AST.Program;
  }
}
