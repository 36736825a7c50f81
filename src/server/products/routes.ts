import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentDossier } from '../platform/auth';
import type { AppContext } from '../platform/context';
import { productCreateSchema, productListQuerySchema, productUpdateSchema } from '../../core/products';
import { text } from '../../core/text';
import { createProduct, deleteProduct, getProduct, listProducts, setProductArchived, updateProduct } from './service';

const params = z.object({ dossierId: text(), productId: z.uuid() });

/** The dossier's catalogue of products and services: list and search, create, read, change (versioned), archive, delete. */
export const productRoutes: FastifyPluginAsync<{ ctx: AppContext }> = async (app) => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const read = { auth: { permission: 'products.read' as const } };
  const write = { auth: { permission: 'products.write' as const } };
  // Changes answer with the record: they need the right to read it, too.
  const writeAndRead = { auth: { permission: 'products.write' as const, reads: ['products.read' as const] } };

  r.get('/d/:dossierId/products', { config: read, schema: { querystring: productListQuerySchema } }, async (request) =>
    listProducts(currentDossier(request), request.query),
  );

  r.post('/d/:dossierId/products', { config: writeAndRead, schema: { body: productCreateSchema } }, async (request, reply) => {
    const product = await createProduct(currentDossier(request), request.body);
    reply.status(201);
    return { product };
  });

  r.get('/d/:dossierId/products/:productId', { config: read, schema: { params } }, async (request) => ({
    product: await getProduct(currentDossier(request), request.params.productId),
  }));

  r.patch('/d/:dossierId/products/:productId', { config: writeAndRead, schema: { params, body: productUpdateSchema } }, async (request) => ({
    product: await updateProduct(currentDossier(request), request.params.productId, request.body),
  }));

  r.post('/d/:dossierId/products/:productId/archive', { config: writeAndRead, schema: { params } }, async (request) => ({
    product: await setProductArchived(currentDossier(request), request.params.productId, true),
  }));

  r.post('/d/:dossierId/products/:productId/unarchive', { config: writeAndRead, schema: { params } }, async (request) => ({
    product: await setProductArchived(currentDossier(request), request.params.productId, false),
  }));

  r.delete('/d/:dossierId/products/:productId', { config: write, schema: { params } }, async (request, reply) => {
    await deleteProduct(currentDossier(request), request.params.productId);
    reply.status(204);
    return null;
  });
};
