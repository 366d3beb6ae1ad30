import { pickLocale, type PageLocale } from '../links/page-strings.ts'

/**
 * The words and layout of Heed's own mail, per locale (the hosted pages' locales; English is
 * the fallback). Plain text plus a simple HTML part with inline styles only: no images, no
 * tracking, no advertising. Everything that comes from outside is escaped.
 */

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

interface NewLinkStrings {
  subject: (brand: string) => string
  intro: (brand: string, days: number) => string
  manage: string
  /** What ends a label: ':' or the full-width '：'. */
  colon: string
  unsubscribe: (brand: string) => string
  ignore: string
}

const NEW_LINK: Record<PageLocale, NewLinkStrings> = {
  en: {
    subject: (b) => `Your new link for ${b}`,
    intro: (b, d) => `Here is your new link to manage the messages you get from ${b}. It works for ${d} ${d === 1 ? 'day' : 'days'}.`,
    manage: 'Manage my preferences',
    colon: ':',
    unsubscribe: (b) => `To stop all messages from ${b}, unsubscribe here:`,
    ignore: 'If you did not ask for it, you can ignore this mail.',
  },
  'zh-Hans': {
    subject: (b) => `您的 ${b} 新链接`,
    intro: (b, d) => `这是您的新链接，用于管理您从 ${b} 收到的消息。链接在 ${d} 天内有效。`,
    manage: '管理我的偏好设置',
    colon: '：',
    unsubscribe: (b) => `如需停止接收 ${b} 的全部消息，请在此退订：`,
    ignore: '如果您没有申请此链接，请忽略这封邮件。',
  },
  'zh-Hant': {
    subject: (b) => `您的 ${b} 新連結`,
    intro: (b, d) => `這是您的新連結，用於管理您從 ${b} 收到的訊息。連結在 ${d} 天內有效。`,
    manage: '管理我的偏好設定',
    colon: '：',
    unsubscribe: (b) => `如需停止接收 ${b} 的所有訊息，請在此取消訂閱：`,
    ignore: '如果您沒有申請此連結，請忽略這封郵件。',
  },
  et: {
    subject: (b) => `Sinu uus link – ${b}`,
    intro: (b, d) => `Siin on sinu uus link, millega saad hallata saatja ${b} sõnumeid. See kehtib ${d} ${d === 1 ? 'päev' : 'päeva'}.`,
    manage: 'Halda oma eelistusi',
    colon: ':',
    unsubscribe: (b) => `Kõigist saatja ${b} sõnumitest loobumiseks kasuta seda linki:`,
    ignore: 'Kui sa seda ei küsinud, võid selle e-kirja tähelepanuta jätta.',
  },
}

/** The mail's language: the subscriber's, else the one of the page the request came from, else the tenant's. */
export function mailLocale(subscriberLocale: string | null, requestLocale: string | null, tenantLocale: string): PageLocale {
  return pickLocale(subscriberLocale, requestLocale ?? undefined, tenantLocale)
}

export interface NewLinkMail {
  locale: PageLocale
  /** The tenant's name. */
  brand: string
  /** The tenant's accent colour, `#rrggbb`; tints the button. */
  accentColor?: string | undefined
  preferencesUrl: string
  unsubscribeUrl: string
  /** How long the link works. */
  days: number
}

/** "Here is your new link…": the answer to "e-mail me a new link". */
export function newLinkMail(m: NewLinkMail): RenderedMail {
  const t = NEW_LINK[m.locale]
  const brand = oneLine(m.brand)
  const accent = m.accentColor && /^#[0-9a-f]{6}$/i.test(m.accentColor) ? m.accentColor : '#1f4fd1'
  const text = [t.intro(brand, m.days), '', `${t.manage}${t.colon}`, m.preferencesUrl, '', t.unsubscribe(brand), m.unsubscribeUrl, '', t.ignore, ''].join('\n')
  const html = `<!DOCTYPE html>
<html lang="${esc(m.locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(t.subject(brand))}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:${DARK};font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:560px;margin:0 auto">
<p style="margin:0 0 16px;font-size:18px;font-weight:600">${esc(brand)}</p>
<p style="margin:0 0 24px">${esc(t.intro(brand, m.days))}</p>
<p style="margin:0 0 24px"><a href="${esc(m.preferencesUrl)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:${accent};color:${readableOn(accent)};font-weight:600;text-decoration:none">${esc(t.manage)}</a></p>
<p style="margin:0 0 24px;font-size:14px;color:#4a4a4a">${esc(t.unsubscribe(brand))} <a href="${esc(m.unsubscribeUrl)}" style="color:#4a4a4a">${esc(m.unsubscribeUrl)}</a></p>
<p style="margin:0;font-size:14px;color:#4a4a4a">${esc(t.ignore)}</p>
</div>
</body>
</html>
`
  return { subject: t.subject(brand), text, html }
}

interface InvitationStrings {
  subject: (brand: string) => string
  intro: (brand: string, inviter: string | null) => string
  role: (role: string) => string
  accept: string
  /** Where the button's link is written out, for mail clients that show no buttons. */
  orOpen: string
  expires: (days: number) => string
  ignore: string
}

const ROLE_NAMES: Record<PageLocale, Record<'owner' | 'editor' | 'viewer', string>> = {
  en: { owner: 'owner', editor: 'editor', viewer: 'viewer' },
  'zh-Hans': { owner: '所有者', editor: '编辑者', viewer: '查看者' },
  'zh-Hant': { owner: '擁有者', editor: '編輯者', viewer: '檢視者' },
  et: { owner: 'omanik', editor: 'toimetaja', viewer: 'vaataja' },
}

const INVITATION: Record<PageLocale, InvitationStrings> = {
  en: {
    subject: (b) => `You are invited to the ${b} console`,
    intro: (b, who) => `${who ?? 'Someone'} invited you to manage ${b}’s subscriber preferences in Heed’s console.`,
    role: (r) => `Your role: ${r}.`,
    accept: 'Choose a password and sign in',
    orOpen: 'Or open this link:',
    expires: (d) => `The link works once, for ${d} ${d === 1 ? 'day' : 'days'}.`,
    ignore: 'If you did not expect this invitation, you can ignore this mail.',
  },
  'zh-Hans': {
    subject: (b) => `邀请您加入 ${b} 的管理控制台`,
    intro: (b, who) => `${who === null ? '有人' : `${who} `}邀请您在 Heed 控制台中管理 ${b} 的订阅偏好。`,
    role: (r) => `您的角色：${r}。`,
    accept: '设置密码并登录',
    orOpen: '或打开此链接：',
    expires: (d) => `此链接只能使用一次，${d} 天内有效。`,
    ignore: '如果您并未预期收到此邀请，请忽略这封邮件。',
  },
  'zh-Hant': {
    subject: (b) => `邀請您加入 ${b} 的管理主控台`,
    intro: (b, who) => `${who === null ? '有人' : `${who} `}邀請您在 Heed 主控台中管理 ${b} 的訂閱偏好。`,
    role: (r) => `您的角色：${r}。`,
    accept: '設定密碼並登入',
    orOpen: '或開啟此連結：',
    expires: (d) => `此連結只能使用一次，${d} 天內有效。`,
    ignore: '如果您並未預期收到此邀請，請忽略這封郵件。',
  },
  et: {
    subject: (b) => `Kutse ${b} haldusliidesesse`,
    intro: (b, who) => `${who ?? 'Keegi'} kutsus sind Heedi haldusliideses haldama ${b} tellijate eelistusi.`,
    role: (r) => `Sinu roll: ${r}.`,
    accept: 'Vali parool ja logi sisse',
    orOpen: 'Või ava see link:',
    expires: (d) => `Linki saab kasutada ühe korra ja see kehtib ${d} ${d === 1 ? 'päev' : 'päeva'}.`,
    ignore: 'Kui sa seda kutset ei oodanud, võid selle e-kirja tähelepanuta jätta.',
  },
}

export interface InvitationMail {
  locale: PageLocale
  /** The tenant's name. */
  brand: string
  accentColor?: string | undefined
  /** Who invited, as people know them (name or address); null when the operator did. */
  inviter: string | null
  role: 'owner' | 'editor' | 'viewer'
  /** The console's accept page with the one-time token. */
  acceptUrl: string
  /** How long the link works. */
  days: number
}

/** "You are invited to the console": an owner's invitation of a colleague. */
export function invitationMail(m: InvitationMail): RenderedMail {
  const t = INVITATION[m.locale]
  const brand = oneLine(m.brand)
  const inviter = m.inviter === null ? null : oneLine(m.inviter)
  const accent = m.accentColor && /^#[0-9a-f]{6}$/i.test(m.accentColor) ? m.accentColor : '#1f4fd1'
  const role = t.role(ROLE_NAMES[m.locale][m.role])
  const text = [t.intro(brand, inviter), role, '', `${t.accept}${m.locale.startsWith('zh') ? '：' : ':'}`, m.acceptUrl, '', t.expires(m.days), t.ignore, ''].join('\n')
  const html = `<!DOCTYPE html>
<html lang="${esc(m.locale)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(t.subject(brand))}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:${DARK};font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:16px;line-height:1.5">
<div style="max-width:560px;margin:0 auto">
<p style="margin:0 0 16px;font-size:18px;font-weight:600">${esc(brand)}</p>
<p style="margin:0 0 8px">${esc(t.intro(brand, inviter))}</p>
<p style="margin:0 0 24px">${esc(role)}</p>
<p style="margin:0 0 24px"><a href="${esc(m.acceptUrl)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:${accent};color:${readableOn(accent)};font-weight:600;text-decoration:none">${esc(t.accept)}</a></p>
<p style="margin:0 0 24px;font-size:14px;color:#4a4a4a">${esc(t.orOpen)} <a href="${esc(m.acceptUrl)}" style="color:#4a4a4a;word-break:break-all">${esc(m.acceptUrl)}</a></p>
<p style="margin:0;font-size:14px;color:#4a4a4a">${esc(t.expires(m.days))} ${esc(t.ignore)}</p>
</div>
</body>
</html>
`
  return { subject: t.subject(brand), text, html }
}

/** Every word of Heed's own mails, per locale (the words tests check). */
export const MAIL_STRINGS = { newLink: NEW_LINK, invitation: INVITATION, roles: ROLE_NAMES }

/** A header-safe, single-line form of a name: control characters become spaces. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

const DARK = '#1a1a1a'

/** White or near-black text, whichever contrasts more with the background colour (WCAG contrast ratio). */
function readableOn(background: string): string {
  const l = luminance(background)
  return (1 + 0.05) / (l + 0.05) >= (l + 0.05) / (luminance(DARK) + 0.05) ? '#ffffff' : DARK
}

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}
