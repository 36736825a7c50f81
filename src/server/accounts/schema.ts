import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../core/password';
import { secretText, text } from '../../core/text';

export const email = text().toLowerCase().pipe(z.email('Adresse e-mail invalide.').max(254));
const personName = text().min(1, 'Le nom est obligatoire.').max(100);
const password = secretText().min(1, 'Le mot de passe est obligatoire.').max(PASSWORD_MAX_LENGTH);
const token = text().min(10).max(100);

export const signupBody = z.object({ name: personName, email, password, dossierName: text().min(1, 'Le nom de la société est obligatoire.').max(200) }).strict();
export const signupConfirmBody = z.object({ token, password }).strict();
export const loginBody = z.object({ email, password }).strict();
export const resetRequestBody = z.object({ email }).strict();
export const resetConfirmBody = z.object({ token, password }).strict();
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password }).strict();
export const updateMeBody = z.object({ name: personName.optional(), locale: z.enum(['fr', 'en']).optional() }).strict();
export const sessionParams = z.object({ sessionId: z.uuid() });
