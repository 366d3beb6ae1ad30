export * from './schemas.ts'
export * from './engine.ts'
export * from './time.ts'
export * from './subscriber.ts'
