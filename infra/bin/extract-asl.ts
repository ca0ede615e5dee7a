#!/usr/bin/env node
// extract-asl.ts TEMPLATE.json OUTDIR: writes each state machine of a synthesised template to
// OUTDIR/<logical id>.asl.json, references replaced by example values (lib/asl.ts), for asl-validator.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stateMachineDefinitions } from '../lib/asl';

const [templateFile, outdir] = process.argv.slice(2);
if (!templateFile || !outdir) {
  console.error('usage: extract-asl.ts TEMPLATE.json OUTDIR');
  process.exit(2);
}
const definitions = stateMachineDefinitions(JSON.parse(fs.readFileSync(templateFile, 'utf8')));
if (Object.keys(definitions).length === 0) {
  console.error(`no AWS::StepFunctions::StateMachine in ${templateFile}`);
  process.exit(1);
}
fs.mkdirSync(outdir, { recursive: true });
for (const [id, definition] of Object.entries(definitions)) {
  const file = path.join(outdir, `${id}.asl.json`);
  fs.writeFileSync(file, `${JSON.stringify(definition, null, 2)}\n`);
  console.log(file);
}
