export { VEGALITE_MIME } from "../../src/rnnlab/plot";
export type { MimeBundle } from "../../src/rnnlab/display";
