// The product catalog (GET /products), fetched once per page and looked up by code.
import { api, rowsOf } from "./api.js";

let loaded = null;

/**
 * The catalog as {products: [...], designs: {code: name}, currency}; tolerant of list or object
 * answers. `currency` (ISO 4217) is what every amount in it is in.
 */
export function catalog() {
  if (!loaded) {
    loaded = api("/products").then((answer) => {
      const products = rowsOf(answer, "products");
      const designs = {};
      for (const design of rowsOf(answer, "designs")) designs[design.code] = design.name;
      for (const product of products) {
        for (const design of product.designs || []) {
          if (typeof design === "object") designs[design.code] = design.name;
        }
      }
      return { products, designs, currency: answer.currency || "" };
    });
  }
  return loaded;
}

/** A design's code whether the catalog lists designs as codes or as objects. */
export const designCode = (design) => (typeof design === "object" ? design.code : design);

export async function productName(code) {
  try {
    const { products } = await catalog();
    const found = products.find((p) => p.code === code);
    return found ? found.name : code;
  } catch {
    return code;
  }
}
