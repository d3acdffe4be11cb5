// The OpenPGP worker's script (scripts/build.sh puts it beside openpgp.js). The app may post
// before the module is compiled: those messages wait here, then go to the module's handler.
const early = [];
self.onmessage = (event) => early.push(event);
import init, { serve } from './openpgp.js';
await init();
serve();
for (const event of early) self.onmessage(event);
