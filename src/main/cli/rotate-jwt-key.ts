// `devmesh rotate-jwt-key`: new signing key; tokens signed by the previous one stay valid until they expire, never longer.
import { rotateJwtKeyAudited } from '../core/auth/rotate-jwt';
import { action } from './run';
import { withServices } from './with-services';

export const rotateJwtKeyCommand = action(async () => {
  await withServices((services, operator) => {
    const result = rotateJwtKeyAudited(services, operator);
    process.stdout.write(`JWT signing key rotated (kid ${result.kid}); tokens signed before stay valid until ${result.previousValidUntil ?? 'now'} at the latest\n`);
  });
});
