// The network's menus, loaded once from GET /network/tables: datasets, activations and
// initialisations, each with its description (and the activations' rules). Nothing on
// the page lists them itself.
import { api } from "./api.js";

export const netTables = {
  /** [{name, label, description, classes, features, planar, samples}] */
  datasets: [],
  /** [{name, label, description, forward, backward}] */
  activations: [],
  /** [{name, label, description}] */
  inits: [],
  /** [{name, label, description, forward, backward}]: the layers the network is made of */
  operations: [],
  /** [{name, integer, minimum, exclusive_minimum, maximum, exclusive_maximum, limit}]: the
   * number fields of /network/train and /network/gradcheck with their schema's bounds */
  fields: [],
};

export async function loadNetworkTables(signal) {
  Object.assign(netTables, await api.networkTables(signal));
}

const find = (rows, name) => rows.find((row) => row.name === name) ?? null;
export const datasetRow = (name) => find(netTables.datasets, name);
export const activationRow = (name) => find(netTables.activations, name);
export const initRow = (name) => find(netTables.inits, name);
/** The bounds of the request field `name` (see tables.js clampField). */
export const netField = (name) => find(netTables.fields, name);
