import { RemoteAccess } from '@bucketgate/contracts';
import type { ListBucketsInput } from './api.js';

export type EndpointType = 'aws' | 'custom';

export interface RemoteFields {
  endpointType: EndpointType;
  endpoint: string;
  region: string;
  pathStyle: boolean;
  apiKey: string;
  apiSecret: string;
}

/** The remote-access part of the form, validated by the contract's schema; null while incomplete or invalid. */
export function remoteAccessOf(f: RemoteFields): ListBucketsInput | null {
  if (f.endpointType === 'custom' && f.endpoint.trim() === '') return null;
  const parsed = RemoteAccess.safeParse({
    apiKey: f.apiKey,
    apiSecret: f.apiSecret,
    endpoint: f.endpointType === 'custom' ? f.endpoint : undefined,
    region: f.region,
    pathStyle: f.endpointType === 'custom' ? f.pathStyle : undefined,
  });
  if (!parsed.success) return null;
  const { apiKey, apiSecret, endpoint, region, pathStyle } = parsed.data;
  return {
    apiKey,
    apiSecret,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(pathStyle !== undefined ? { pathStyle } : {}),
  };
}

