import { DocumentBuilder } from './document-builder';
import { asKeyword, isJsonObject, JsonObject } from './json-values';

/** Some services log the field names themselves as values; such a block carries no information. */
const PLACEHOLDER_TLS_VERSION = 'tlsVersion';

/** `tlsDetails` → `tls.*`: `TLSv1.2` splits at the first `v` into protocol `tls` and version `1.2`. */
export function mapTlsDetails(json: JsonObject, doc: DocumentBuilder): void {
  const tlsDetails = json.tlsDetails;
  if (!isJsonObject(tlsDetails)) return;
  const tlsVersion = asKeyword(tlsDetails.tlsVersion);
  if (tlsVersion === PLACEHOLDER_TLS_VERSION) return;
  if (tlsVersion !== undefined) {
    const separator = tlsVersion.indexOf('v');
    if (separator >= 0) {
      doc.set('tls.version_protocol', tlsVersion.slice(0, separator).toLowerCase());
      doc.set('tls.version', tlsVersion.slice(separator + 1));
    } else {
      doc.set('tls.version', tlsVersion);
    }
  }
  doc.set('tls.cipher', asKeyword(tlsDetails.cipherSuite));
  doc.set('tls.client.server_name', asKeyword(tlsDetails.clientProvidedHostHeader));
  doc.set('aws.cloudtrail.tls_details.key_exchange', asKeyword(tlsDetails.keyExchange));
}
