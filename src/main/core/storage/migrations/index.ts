// The ordered list of schema migrations this version knows; the last one's version is the schema version it writes.
import { migration0001 } from './0001-tenants-and-meta';
import { migration0002 } from './0002-secrets';
import { migration0003 } from './0003-audit-log';
import { migration0004 } from './0004-identities';
import { migration0005 } from './0005-contexts';
import { migration0006 } from './0006-roles';
import { migration0007 } from './0007-settings-and-blocklist';
import { migration0008 } from './0008-certificates';
import type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
