/**
 * Error codes of the API, with their messages in French (default) and English.
 * Every error response is `{ "error": { "code", "message", "details" } }`.
 */
export const ERROR_MESSAGES = {
  validation_failed: { fr: 'Certaines informations sont invalides.', en: 'Some fields are invalid.' },
  malformed_json: { fr: 'La requête est mal formée (JSON invalide).', en: 'The request body is not valid JSON.' },
  body_too_large: { fr: 'La requête est trop volumineuse.', en: 'The request body is too large.' },
  unsupported_media_type: { fr: "Ce type de contenu n'est pas accepté.", en: 'This content type is not accepted.' },
  not_found: { fr: "Cette ressource n'existe pas ou vous n'y avez pas accès.", en: 'Not found, or you have no access to it.' },
  unauthenticated: { fr: 'Vous devez vous connecter.', en: 'You must log in.' },
  forbidden: { fr: "Votre profil ne permet pas cette action.", en: 'Your profile does not allow this action.' },
  csrf_invalid: { fr: 'Jeton de sécurité (CSRF) absent ou invalide : rechargez la page.', en: 'Missing or invalid security (CSRF) token: reload the page.' },
  rate_limited: { fr: 'Trop de tentatives. Réessayez dans quelques minutes.', en: 'Too many attempts. Try again in a few minutes.' },
  invalid_credentials: { fr: 'E-mail ou mot de passe incorrect.', en: 'Wrong e-mail or password.' },
  email_taken: { fr: 'Un compte existe déjà avec cette adresse e-mail.', en: 'An account already exists with this e-mail address.' },
  weak_password: { fr: 'Ce mot de passe est trop faible.', en: 'This password is too weak.' },
  wrong_password: { fr: 'Le mot de passe actuel est incorrect.', en: 'The current password is wrong.' },
  signup_password_mismatch: {
    fr: "Ce n'est pas le mot de passe choisi à l'inscription. Si vous n'avez pas demandé ce compte, ignorez ce lien.",
    en: 'This is not the password chosen at sign-up. If you did not ask for this account, ignore this link.',
  },
  token_invalid: { fr: 'Ce lien est invalide, a expiré ou a déjà été utilisé.', en: 'This link is invalid, expired or already used.' },
  invitation_email_mismatch: { fr: "Cette invitation est adressée à une autre adresse e-mail.", en: 'This invitation is addressed to another e-mail address.' },
  already_member: { fr: 'Cette personne est déjà membre du dossier.', en: 'This person is already a member of the dossier.' },
  already_invited: { fr: 'Une invitation est déjà en attente pour cette adresse.', en: 'An invitation is already pending for this address.' },
  seat_limit_reached: {
    fr: 'Votre formule {plan} permet {limit} utilisateur(s), et ils sont tous attribués (invitations en attente comprises).',
    en: 'Your {plan} plan allows {limit} user(s), and all are taken (pending invitations included).',
  },
  accountant_not_in_plan: { fr: "L'accès expert-comptable est réservé à la formule TPE+.", en: "The accountant's access is for the TPE+ plan only." },
  profile_beyond_own: {
    fr: "Ce profil donne des droits que le vôtre n'a pas : vous ne pouvez ni l'attribuer ni le modifier, ni gérer les membres ou invitations qui l'ont.",
    en: 'This profile gives permissions yours does not have: you can neither grant nor change it, nor manage the members or invitations that hold it.',
  },
  own_profile: { fr: 'Vous ne pouvez pas changer votre propre profil : demandez-le à un autre administrateur du dossier.', en: 'You cannot change your own profile: ask another administrator of the dossier.' },
  last_admin: { fr: 'Le dossier doit garder au moins un administrateur.', en: 'The dossier must keep at least one administrator.' },
  profile_in_use: { fr: 'Ce profil est attribué à des membres : changez d’abord leur profil.', en: 'Members still have this profile: change theirs first.' },
  customer_in_use: { fr: 'Ce client figure sur des pièces : archivez-le plutôt.', en: 'This customer appears on documents: archive it instead.' },
  product_in_use: { fr: 'Cet article figure sur des pièces : archivez-le plutôt.', en: 'This item appears on documents: archive it instead.' },
  invalid_image: { fr: "Le logo doit être une image PNG ou JPEG valide.", en: 'The logo must be a valid PNG or JPEG image.' },
  mail_failed: { fr: "L'e-mail n'a pas pu être envoyé : réessayez plus tard.", en: 'The e-mail could not be sent: try again later.' },
  stale_version: {
    fr: "Ce document a été modifié par quelqu'un d'autre entre-temps : rechargez-le.",
    en: 'Someone else changed this in the meantime: reload it.',
  },
  not_a_draft: { fr: 'Cette pièce est émise : elle ne peut plus être modifiée ni supprimée.', en: 'This document is issued: it can no longer be changed or deleted.' },
  mentions_missing: { fr: 'Il manque des mentions obligatoires pour émettre cette pièce.', en: 'Mandatory information is missing to issue this document.' },
  not_chronological: {
    fr: 'La date d’émission ({issueDate}) est antérieure à celle de la dernière pièce émise dans cette série ({lastDate}).',
    en: 'The issue date ({issueDate}) is before the last issued document of this series ({lastDate}).',
  },
  number_taken: {
    fr: 'Le format de numérotation de cette série ({format}) redonne un numéro déjà attribué : changez-le dans Paramètres › Numérotation (par exemple en y ajoutant l’année, {AAAA}).',
    en: 'This series’ numbering format ({format}) gives a number already used: change it in Settings › Numbering (e.g. add the year, {AAAA}).',
  },
  numbering_locked: { fr: 'Une pièce de cette série a déjà été émise cette année : sa numérotation ne peut plus changer.', en: 'A document of this series was issued this year: its numbering can no longer change.' },
  already_invoiced: { fr: 'Ce devis a déjà été facturé (facture {number}).', en: 'This quote was already invoiced (invoice {number}).' },
  invalid_transition: { fr: "Cette action n'est pas possible dans l'état actuel de la pièce.", en: 'This action is not possible in the document’s current state.' },
  not_sendable: {
    fr: 'Une pièce brouillon ne peut pas être envoyée : émettez la facture (ou finalisez le devis, la pro forma) avant de l’envoyer.',
    en: 'A draft cannot be sent: issue the invoice (or finalise the quote, the pro forma) before sending it.',
  },
  message_not_uncertain: {
    fr: 'Seul un envoi en état incertain ou en échec peut être renvoyé, et seul un envoi incertain marqué comme envoyé.',
    en: 'Only an uncertain or failed message can be sent again, and only an uncertain one marked as sent.',
  },
  no_notice: { fr: "Cet envoi n'a pas (ou plus) d'avis d'échec à masquer.", en: 'This message has no failure notice to dismiss (any more).' },
  invalid_cursor: { fr: "Cette page de la liste n'existe plus : revenez à la première page.", en: 'This page of the list no longer exists: go back to the first page.' },
  not_overdue: {
    fr: 'Cette facture n’est pas en retard de paiement (réglée, annulée par avoir, brouillon ou pas encore échue) : elle ne peut pas être relancée.',
    en: 'This invoice is not overdue (paid, cancelled by a credit note, a draft or not yet due): it cannot be reminded.',
  },
  reminders_off: { fr: 'Les relances sont désactivées pour ce dossier (Paramètres › Relances).', en: 'Reminders are off for this dossier (Settings › Reminders).' },
  reminder_already_sent: { fr: 'La relance {level} de cette facture a déjà été envoyée ({date}).', en: 'Reminder {level} of this invoice was already sent ({date}).' },
  reminder_level_passed: {
    fr: 'La relance {sent} de cette facture est déjà partie : une relance de niveau inférieur ({level}) ne peut plus être envoyée.',
    en: 'Reminder {sent} of this invoice was already sent: a lower reminder ({level}) can no longer be sent.',
  },
  overpayment: { fr: 'Ce règlement dépasse le montant restant dû ({due}).', en: 'This payment exceeds the amount still due ({due}).' },
  export_too_large: {
    fr: "Cet export compterait {rows} lignes, plus que les {limit} qu'un export peut contenir : choisissez une période plus courte ou d'autres filtres.",
    en: 'This export would hold {rows} rows, more than the {limit} an export may hold: choose a shorter period or other filters.',
  },
  conflict: { fr: 'Cette opération est en conflit avec l’état actuel.', en: 'This operation conflicts with the current state.' },
  internal: { fr: 'Une erreur inattendue est survenue. Réessayez.', en: 'An unexpected error occurred. Try again.' },
} as const satisfies Record<string, { fr: string; en: string }>;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

/**
 * A more precise message for a code, chosen by the error's `details.reason`: the code stays the
 * one clients handle (`rate_limited`), the message says which limit and when it lifts.
 */
const REASON_MESSAGES: Partial<Record<ErrorCode, Record<string, { fr: string; en: string }>>> = {
  rate_limited: {
    sending_limit: {
      fr: "Ce dossier a atteint sa limite de {limit} e-mails envoyés par heure : vous pourrez en envoyer de nouveau à partir de {retryTime}.",
      en: 'This dossier reached its limit of {limit} e-mails sent per hour: you can send again from {retryTime}.',
    },
  },
};
export type Locale = 'fr' | 'en';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The message of a code in a language, with `{name}` placeholders filled from `params`. */
export function errorMessage(code: ErrorCode, locale: Locale = 'fr', params: Record<string, unknown> = {}): string {
  const reason = typeof params.reason === 'string' ? REASON_MESSAGES[code]?.[params.reason] : undefined;
  return (reason ?? ERROR_MESSAGES[code])[locale].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
