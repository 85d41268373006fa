// The client's setup: what happened to the key, the snippet (with copy) and the numbered steps.
import type { ConnectSetup } from '../../../../shared/ipc/contracts/connect';
import { CopyButton } from '../../components/copy-button';
import { InlineCode } from '../../components/inline-code';
import { Section } from '../../components/section';
import { KeyNotice } from './key-notice';

export function SetupView({ setup }: { setup: ConnectSetup }): React.JSX.Element {
  const what = setup.kind === 'command' ? `Command (it saves the server in ${setup.file ?? 'the client config'})` : `Configuration for ${setup.file ?? 'the client'}`;
  return (
    <Section title={`${setup.title} → ${setup.url}`} className="setup">
      <KeyNotice setup={setup} />
      <h3>{what}</h3>
      <pre className="snippet" data-testid="snippet">
        <code>{setup.snippet}</code>
      </pre>
      <CopyButton text={setup.snippet} label={setup.kind === 'command' ? 'Copy command' : 'Copy configuration'} />
      <h3>Steps</h3>
      <ol className="steps">
        {setup.steps.map((step) => (
          <li key={step}>
            <InlineCode text={step} />
          </li>
        ))}
      </ol>
    </Section>
  );
}
