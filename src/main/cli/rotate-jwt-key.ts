// `devmesh rotate-jwt-key`: new signing key; tokens signed by the previous one stay valid until they expire, never longer.
import { action } from './run';
import { withServices } from './with-services';

export const rotateJwtKeyCommand = action(async () => {
  await withServices((services, operator) => {
    const result = services.jwt.rotate({ grace: true });
    services.core.audit.append({ event_type: 'jwt_key_rotated', subject: operator.subject, action: 'rotate', resource: 'jwt_signing_key', result: 'success', metadata: { kid: result.kid, previous_valid_until: result.previousValidUntil } });
    process.stdout.write(`JWT signing key rotated (kid ${result.kid}); tokens signed before stay valid until ${result.previousValidUntil ?? 'now'} at the latest\n`);
  });
});
