import type { Family } from '../../shared/families';

/** A request as every path describes it before it is built: what request.ts turns into a URL and a body. */

export type ParamValue = string | number | boolean;
/** Parameters keep their order and may repeat a name (sent as a repeated key). */
export type Param = readonly [name: string, value: ParamValue];

/**
 * A body other than a form: a JSON document (Personalization/set, StatsManager/save_configuration,
 * ClamScanner/disinfect_files, WHM personalization_set), or files uploaded as multipart/form-data
 * (Fileman/upload_files, Backup/restore_databases, SSL/upload_key) with the parameters as fields.
 */
export type RequestBody = { kind: 'json'; text: string } | { kind: 'multipart'; files: readonly { name: string; path: string }[] };

export interface ApiRequest {
  family: Family;
  /** UAPI and API 2 module, e.g. "Email". */
  module?: string;
  function: string;
  params: readonly Param[];
  method?: 'GET' | 'POST';
  /** On a WHM server: call UAPI or API 2 on behalf of this cPanel account. */
  asUser?: string;
  /** Sent as POST; with a JSON body the parameters go in the query, with files they are form fields. */
  body?: RequestBody;
  /**
   * Parameters whose values are secret though their names do not say so: filled from `${env:…}`, a
   * secret variable, or typed into a password box. The request then goes as a POST, and the values are
   * scrubbed from the answer like the client's own credentials.
   */
  secretParams?: readonly string[];
  /**
   * The person chose GET for this one call knowing it carries a secret: the only way a secret goes into
   * a URL. Never read from a file (snippets, history, imports): set only by an explicit choice (`cpapi
   * call --get`, the builder's GET after its warning).
   */
  secretInUrl?: true;
}
