/**
 * cdk-nag acknowledgements that follow the policy they answer: AwsSolutions-IAM5 names each
 * wildcard action and resource separately, so a role whose policy is published upstream (or must
 * name resources that only exist later) acknowledges exactly the wildcards its policy holds, with
 * one reason, and a wildcard added later without a reason still fails nag.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';

/** How cdk-nag prints a resolved CloudFormation value: `Ref` → `<Id>`, `GetAtt` → `<Id.Attr>`, joins concatenated. */
function nagText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `<${v.Ref as string}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(nagText).join(separator);
  }
  return JSON.stringify(value);
}

/** Acknowledges AwsSolutions-IAM5 for every wildcard action and resource in `role`'s policy as it stands. */
export function acknowledgeWildcards(role: iam.Role, reason: string): void {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (policy) acknowledgePolicyWildcards(policy, reason);
}

/** Acknowledges AwsSolutions-IAM5 for every wildcard action and resource in `policy` as it stands. */
export function acknowledgePolicyWildcards(policy: iam.Policy, reason: string): void {
  const stack = Stack.of(policy);
  const document = stack.resolve(policy.document.toJSON()) as { Statement: Array<{ Action: unknown; Resource: unknown }> };
  const ids = new Set<string>();
  for (const statement of document.Statement) {
    for (const action of [statement.Action].flat()) {
      if (typeof action === 'string' && action.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    }
    for (const resource of [statement.Resource].flat()) {
      const text = nagText(resource);
      if (text.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${text}]`);
    }
  }
  Validations.of(policy).acknowledge(...[...ids].map((id) => ({ id, reason })));
}
