import type { LocaleCode } from './index.ts'

/** The unsubscribe reason form's own strings, every locale: they load with the form (its own chunk). */
export interface ReasonText {
  reasonDetails: string
}

export const REASON_TEXT: Record<LocaleCode, ReasonText> = {
  en: {
    reasonDetails: 'Anything you would like to add? (optional)',
  },
  'zh-Hans': {
    reasonDetails: '还有什么想告诉我们的吗？（选填）',
  },
  'zh-Hant': {
    reasonDetails: '還有什麼想告訴我們的嗎？（選填）',
  },
  et: {
    reasonDetails: 'Kas soovid midagi lisada? (valikuline)',
  },
}
