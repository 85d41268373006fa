// Headless entry: the `devmesh` command line (serve, doctor, rotate-master-key...). Never imports electron.
import { buildProgram } from './cli/program';

await buildProgram().parseAsync(process.argv);
