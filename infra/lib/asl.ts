/**
 * The state machine's Amazon States Language definition as a plain JSON document, out of a synthesised
 * template: CloudFormation keeps it as an `Fn::Join` of text and references (the function's ARN, the
 * bucket's name, the partition), which become example values of the right shape here, so that
 * asl-validator can check ARNs and paths offline, before any deployment resolves them.
 */
export const EXAMPLE_ACCOUNT = '123456789012';
export const EXAMPLE_REGION = 'us-east-1';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface Template {
  readonly Resources: Record<string, Resource>;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': EXAMPLE_REGION,
  'AWS::AccountId': EXAMPLE_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** An example of what a `Ref` or `Fn::GetAtt` to `logicalId` resolves to once deployed. */
function example(template: Template, logicalId: string, attribute?: string): string {
  if (logicalId in PSEUDO) return PSEUDO[logicalId];
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`the definition refers to ${logicalId}, which the template does not hold`);
  const name = logicalId.toLowerCase();
  switch (`${resource.Type} ${attribute ?? 'Ref'}`) {
    case 'AWS::Lambda::Function Arn':
      return `arn:aws:lambda:${EXAMPLE_REGION}:${EXAMPLE_ACCOUNT}:function:${name}`;
    case 'AWS::S3::Bucket Ref':
      return name;
    default:
      throw new Error(`no example value for ${resource.Type} ${logicalId} ${attribute ?? 'Ref'}`);
  }
}

function text(template: Template, value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return example(template, v.Ref as string);
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    return example(template, id, attribute);
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => text(template, part)).join(separator);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a state machine definition`);
}

/** Every state machine of `template`, by logical id, as parsed ASL. */
export function stateMachineDefinitions(template: Template): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    out[id] = JSON.parse(text(template, resource.Properties?.DefinitionString));
  }
  return out;
}
