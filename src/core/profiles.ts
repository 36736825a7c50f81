import type { BuiltinProfileKey, Permission } from './permissions';
import type { Locale } from './errors';

export const BUILTIN_PROFILE_NAMES: Record<BuiltinProfileKey, Record<Locale, string>> = {
  admin: { fr: 'Administrateur', en: 'Administrator' },
  adv: { fr: 'ADV', en: 'Sales administration' },
  commercial: { fr: 'Commercial', en: 'Sales' },
  achat: { fr: 'Achat', en: 'Purchasing' },
  readonly: { fr: 'Lecture seule', en: 'Read only' },
  accountant: { fr: 'Expert-comptable', en: 'Accountant' },
};

export const PERMISSION_LABELS: Record<Permission, Record<Locale, string>> = {
  'dossier.read': { fr: 'Ouvrir le dossier', en: 'Open the dossier' },
  'settings.manage': { fr: 'Modifier les paramètres du dossier', en: 'Change the dossier settings' },
  'members.manage': { fr: 'Gérer les membres et les profils', en: 'Manage members and profiles' },
  'customers.read': { fr: 'Voir les clients', en: 'See customers' },
  'customers.write': { fr: 'Créer et modifier les clients', en: 'Create and edit customers' },
  'products.read': { fr: 'Voir le catalogue', en: 'See the catalogue' },
  'products.write': { fr: 'Modifier le catalogue', en: 'Edit the catalogue' },
  'quotes.read': { fr: 'Voir les devis', en: 'See quotes' },
  'quotes.write': { fr: 'Créer et modifier les devis', en: 'Create and edit quotes' },
  'quotes.send': { fr: 'Envoyer les devis par e-mail', en: 'E-mail quotes' },
  'invoices.read': { fr: 'Voir les factures et avoirs', en: 'See invoices and credit notes' },
  'invoices.write': { fr: 'Préparer les factures et avoirs', en: 'Draft invoices and credit notes' },
  'invoices.issue': { fr: 'Émettre les factures et avoirs', en: 'Issue invoices and credit notes' },
  'invoices.send': { fr: 'Envoyer les factures et avoirs par e-mail', en: 'E-mail invoices and credit notes' },
  'payments.write': { fr: 'Enregistrer les règlements', en: 'Record payments' },
  'purchases.read': { fr: "Voir les pièces d'achat", en: 'See purchase documents' },
  'purchases.write': { fr: "Créer les pièces d'achat", en: 'Create purchase documents' },
  'accounting.read': { fr: 'Voir la comptabilité', en: 'See accounting' },
  'accounting.export': { fr: 'Exporter les lots et le FEC', en: 'Export batches and FEC' },
  'audit.read': { fr: 'Consulter le journal des actions', en: 'Read the activity log' },
  'audit.export': { fr: 'Exporter le journal des actions (XLSX, CSV)', en: 'Export the activity log (XLSX, CSV)' },
};
