// The `ulm` command run from the TypeScript sources, so CLI tests need no build step.
import { main } from '../../cli/main.js';

main(process.argv).then((code) => { process.exitCode = code; });
