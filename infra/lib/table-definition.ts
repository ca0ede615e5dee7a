/**
 * The DynamoDB table definition, read from the one file the Rust store and seeder compile in
 * (`crates/store-dynamodb/table.json`), so the deployed table and the code cannot drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './settings';

export const TABLE_DEFINITION_FILE = path.join(REPO_ROOT, 'crates', 'store-dynamodb', 'table.json');

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface TableDefinition {
  readonly tableName: string;
  readonly billingMode: 'PAY_PER_REQUEST';
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly timeToLiveAttribute: string;
  /** What the table's stream carries; the real-time fan-out reads it. */
  readonly streamViewType: StreamViewType;
  readonly pointInTimeRecovery: boolean;
}

export type StreamViewType = 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';

const FIELDS = ['tableName', 'billingMode', 'partitionKey', 'sortKey', 'timeToLiveAttribute', 'streamViewType', 'pointInTimeRecovery'];

function key(value: unknown, field: string): KeyAttribute {
  const attribute = value as Record<string, unknown> | null;
  if (
    typeof attribute !== 'object' ||
    attribute === null ||
    typeof attribute.name !== 'string' ||
    !['S', 'N', 'B'].includes(attribute.type as string) ||
    Object.keys(attribute).some((k) => k !== 'name' && k !== 'type')
  ) {
    throw new Error(`${TABLE_DEFINITION_FILE}: ${field} must be {name, type: S|N|B}`);
  }
  return { name: attribute.name, type: attribute.type as KeyType };
}

/**
 * Parses the definition as strictly as the Rust side does (`deny_unknown_fields`): a setting
 * added to the file that this stack does not apply fails the synth rather than being ignored.
 */
export function parseTableDefinition(text: string): TableDefinition {
  const json = JSON.parse(text) as Record<string, unknown>;
  const unknown = Object.keys(json).filter((k) => !FIELDS.includes(k));
  if (unknown.length > 0) {
    throw new Error(`${TABLE_DEFINITION_FILE}: fields this stack does not apply: ${unknown.join(', ')}`);
  }
  if (typeof json.tableName !== 'string' || json.tableName === '') throw new Error('tableName must be a string');
  if (json.billingMode !== 'PAY_PER_REQUEST') throw new Error('billingMode must be PAY_PER_REQUEST (on demand)');
  if (typeof json.timeToLiveAttribute !== 'string') throw new Error('timeToLiveAttribute must be a string');
  if (json.streamViewType !== 'NEW_IMAGE' && json.streamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new Error('streamViewType must be NEW_IMAGE or NEW_AND_OLD_IMAGES (the real-time fan-out reads new images)');
  }
  if (typeof json.pointInTimeRecovery !== 'boolean') throw new Error('pointInTimeRecovery must be a boolean');
  return {
    tableName: json.tableName,
    billingMode: json.billingMode,
    partitionKey: key(json.partitionKey, 'partitionKey'),
    sortKey: key(json.sortKey, 'sortKey'),
    timeToLiveAttribute: json.timeToLiveAttribute,
    streamViewType: json.streamViewType,
    pointInTimeRecovery: json.pointInTimeRecovery,
  };
}

export function loadTableDefinition(file: string = TABLE_DEFINITION_FILE): TableDefinition {
  return parseTableDefinition(fs.readFileSync(file, 'utf8'));
}
