import { serveHeed } from './serve.ts'

await serveHeed()
