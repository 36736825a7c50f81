/** The invoicing screens, loaded together on first use (they bring the zod schemas and the totals rules). */
export { CustomersPage } from '../customers/CustomersPage';
export { CustomerPage, NewCustomerPage } from '../customers/CustomerPage';
export { ProductsPage } from '../products/ProductsPage';
export { NewProductPage, ProductPage } from '../products/ProductPage';
export { DocumentsPage } from './DocumentsPage';
export { DocumentPage, NewDocumentPage } from './DocumentPage';
export { NumberingPage } from '../numbering/NumberingPage';
