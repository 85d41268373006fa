// This mesh: version, where its data lives, where its master key comes from.
import type { MeshStatus } from '../../../../shared/ipc/contract';
import { Section } from '../../components/section';

export function MeshSection({ status }: { status: MeshStatus }): React.JSX.Element {
  return (
    <Section title="This mesh" className="span-2">
      <dl className="pairs">
        <dt>Version</dt>
        <dd>{status.version}</dd>
        <dt>Data</dt>
        <dd>
          <code>{status.dataDir}</code> · schema {status.schemaVersion}
        </dd>
        <dt>Master key</dt>
        <dd>
          {status.masterKeySource === 'keychain' ? 'OS keychain' : 'ENCRYPTION_MASTER_KEY'} (version {status.keyVersion})
        </dd>
      </dl>
    </Section>
  );
}
