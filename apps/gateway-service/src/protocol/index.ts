/** The gateway's S3 protocol layer: errors, SigV4 authentication, body decoding. */
export { S3Error, S3_ERRORS, isS3Error, isS3ErrorCode, type S3ErrorCode } from './s3-error.js';
export { errorXml, xmlEscape, xmlElement } from './xml.js';
export {
  parseAuth,
  verifySignature,
  canonicalForms,
  headerValue,
  type AuthInfo,
  type CanonicalForm,
  type PayloadMode,
  type SignedRequest,
} from './auth.js';
export { decodeBody, type DecodedBody } from './body.js';
export { AwsChunkedParser, MAX_CHUNK_LINE, MAX_CHUNK_SIZE, MAX_TRAILER_BYTES, type AwsChunkedParserOptions, type ChunkSigning } from './chunked.js';
export {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_BYTES,
  algorithmOfHeader,
  checksumBase64,
  checksumHeaderName,
  crc32c,
  createChecksum,
  decodeBase64Digest,
  type Checksum,
  type ChecksumAlgorithm,
} from './checksums.js';
export {
  EMPTY_SHA256,
  MAX_CLOCK_SKEW_MS,
  MAX_PRESIGNED_EXPIRES_SECONDS,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  UNSIGNED_PAYLOAD,
  canonicalQuery,
  canonicalUri,
  uriEncode,
} from './sigv4.js';
