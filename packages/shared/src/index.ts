export * from './schemas.ts'
export * from './engine.ts'
