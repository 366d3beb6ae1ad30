import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import type { z } from 'zod'
import { validationError } from './errors.ts'

const WHERE: Record<keyof ValidationTargets, string> = {
  json: 'body',
  form: 'form',
  query: 'query string',
  param: 'path',
  header: 'headers',
  cookie: 'cookies',
}

/** zValidator with our hook: a failure is thrown as one problem+json naming every field. */
export const validate = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw validationError(result.error, WHERE[target])
  })
