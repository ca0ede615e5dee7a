/**
 * cdk-nag (AwsSolutions) over the whole app: no finding is left unacknowledged, and every
 * acknowledgement carries its reason and answers a finding that exists (none is stale).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { buildAppWithZip } from './helpers';

interface Violation {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly paths: string[];
}

interface Report {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
  }>;
}

/** Synthesises (running every validation plugin) and returns whether it passed and what was found. */
function synth(context: Record<string, unknown>): { passed: boolean; violations: Violation[]; error?: unknown } {
  const built = buildAppWithZip(context);
  let error: unknown;
  try {
    built.app.synth();
  } catch (e) {
    error = e;
  }
  const reportFile = path.join(built.outdir, 'validation-report.json');
  const report: Report = fs.existsSync(reportFile)
    ? JSON.parse(fs.readFileSync(reportFile, 'utf8'))
    : { pluginReports: [] };
  const violations = report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      plugin: plugin.pluginName,
      rule: v.ruleName,
      severity: v.severity,
      paths: v.violatingConstructs.map((c) => c.constructPath),
    })),
  );
  return { passed: error === undefined, violations, error };
}

const VARIANTS: Array<[string, Record<string, unknown>]> = [
  ['defaults (REST API)', {}],
  [
    'HTTP API, multi-AZ RDS without deletion protection, a cross-region read replica',
    { httpApi: 'true', rdsMultiAz: 'true', rdsDeletionProtection: 'false', rdsCrossRegion: 'replica' },
  ],
];

describe('cdk-nag AwsSolutions', () => {
  for (const [name, context] of VARIANTS) {
    test(`no unacknowledged finding: ${name}`, () => {
      const { passed, violations, error } = synth(context);
      const errors = violations.filter((v) => v.severity === 'error');

      assert.deepEqual(errors, [], 'unacknowledged errors');
      assert.deepEqual(
        violations.filter((v) => v.plugin === 'AwsSolutions'),
        [],
        'unacknowledged AwsSolutions warnings',
      );
      assert.ok(passed, `synth failed: ${String(error)}`);
    });

    test(`every acknowledgement has a reason and answers a finding: ${name}`, () => {
      const acknowledged: Array<{ at: string; id: string; reason: string }> = [];
      const original = Validations.prototype.acknowledge;
      // Record instead of applying, to see what each acknowledgement hides.
      Validations.prototype.acknowledge = function (this: unknown, ...rules) {
        // Only ours: aws-cdk-lib acknowledges some CloudFormation checks for its own constructs.
        const caller = (new Error().stack ?? '').split('\n')[2] ?? '';
        if (caller.includes('node_modules')) return original.apply(this as Validations, rules);
        const scope = (this as { scope: { node: { path: string } } }).scope;
        for (const rule of rules) acknowledged.push({ at: scope.node.path, id: rule.id, reason: rule.reason });
      };
      let withheld: Violation[];
      try {
        withheld = synth(context).violations;
      } finally {
        Validations.prototype.acknowledge = original;
      }

      assert.ok(acknowledged.length > 0);
      for (const ack of acknowledged) {
        assert.ok(ack.reason.trim().length >= 40, `${ack.id} at ${ack.at} needs a reason, got ${JSON.stringify(ack.reason)}`);
        const rule = ack.id.replace(/^CloudFormation-Validate::/, '');
        const answered = withheld.some(
          (v) => v.rule === rule && v.paths.some((p) => p === ack.at || p.startsWith(`${ack.at}/`)),
        );
        assert.ok(answered, `stale acknowledgement ${ack.id} at ${ack.at}: nothing there is found without it`);
      }
      for (const v of withheld) {
        // A finding groups every construct it was found on: each of them needs its acknowledgement.
        for (const p of v.paths) {
          const covered = acknowledged.some(
            (ack) => ack.id.replace(/^CloudFormation-Validate::/, '') === v.rule && (p === ack.at || p.startsWith(`${ack.at}/`)),
          );
          assert.ok(covered, `finding ${v.rule} at ${p} is neither fixed nor acknowledged`);
        }
      }
    });
  }
});
