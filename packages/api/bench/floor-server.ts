/**
 * The real server (`serveHeed`, what `src/server.ts` runs) with the bench's floor added
 * (`floor.ts`: `POST /v1/floor`, a single check without its database read and its decision,
 * the single check's way through the server; `POST /v1/floor/asking`, the same asking the
 * database once a turn whether anything changed; and `POST /v1/floor/remembering`, the check
 * on decision data it read once and keeps, the bound of any cache). Measured in the same
 * process as hello-world and the check (a process of its own runs faster or slower as a whole
 * on this machine, with where its threads land), it bounds what any check can reach here,
 * whatever its storage. Not part of Heed.
 */
import { serveHeed } from '../src/serve.ts'
import { addFloorRoute, FLOOR_LANES } from './floor.ts'

await serveHeed({ extend: addFloorRoute, lanes: FLOOR_LANES })
