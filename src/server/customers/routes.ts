import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerCreateSchema, customerListQuerySchema, customerUpdateSchema } from '../../core/customers';
import { text } from '../../core/text';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { createCustomer, deleteCustomer, getCustomer, listCustomers, setCustomerArchived, updateCustomer } from './service';

const params = z.object({ dossierId: text(), customerId: z.uuid() });

/** The dossier's customers: list and search, create, read, change (versioned), archive, delete. */
export const customerRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { auth: { permission: 'customers.read' as const } };
  const write = { auth: { permission: 'customers.write' as const } };
  // Changes answer with the record: they need the right to read it, too.
  const writeAndRead = { auth: { permission: 'customers.write' as const, reads: ['customers.read' as const] } };

  r.get('/d/:dossierId/customers', { config: read, schema: { querystring: customerListQuerySchema } }, async (request) =>
    listCustomers(currentDossier(request), request.query),
  );

  r.post('/d/:dossierId/customers', { config: writeAndRead, schema: { body: customerCreateSchema } }, async (request, reply) => {
    const customer = await createCustomer(currentDossier(request), request.body);
    reply.status(201);
    return { customer };
  });

  r.get('/d/:dossierId/customers/:customerId', { config: read, schema: { params } }, async (request) => ({
    customer: await getCustomer(currentDossier(request), request.params.customerId),
  }));

  r.patch('/d/:dossierId/customers/:customerId', { config: writeAndRead, schema: { params, body: customerUpdateSchema } }, async (request) => ({
    customer: await updateCustomer(currentDossier(request), request.params.customerId, request.body),
  }));

  r.post('/d/:dossierId/customers/:customerId/archive', { config: writeAndRead, schema: { params } }, async (request) => ({
    customer: await setCustomerArchived(currentDossier(request), request.params.customerId, true),
  }));

  r.post('/d/:dossierId/customers/:customerId/unarchive', { config: writeAndRead, schema: { params } }, async (request) => ({
    customer: await setCustomerArchived(currentDossier(request), request.params.customerId, false),
  }));

  r.delete('/d/:dossierId/customers/:customerId', { config: write, schema: { params } }, async (request, reply) => {
    await deleteCustomer(currentDossier(request), request.params.customerId);
    reply.status(204);
    return null;
  });
};
