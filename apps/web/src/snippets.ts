/** Ready-to-paste client configuration for a datasource's gateway endpoint and issued credentials. */
export interface SnippetInput {
  datasource: string;
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The region clients sign with; the gateway accepts any, us-east-1 is the usual default. */
  region?: string | null;
}

/** Single-quote for POSIX shells. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function profileName(datasource: string): string {
  return `bucketgate-${datasource}`;
}

export function awsCliSnippet(i: SnippetInput): string {
  const p = shellQuote(profileName(i.datasource));
  const region = i.region || 'us-east-1';
  return [
    `aws configure set aws_access_key_id ${shellQuote(i.accessKeyId)} --profile ${p}`,
    `aws configure set aws_secret_access_key ${shellQuote(i.secretAccessKey)} --profile ${p}`,
    `aws configure set region ${shellQuote(region)} --profile ${p}`,
    `aws configure set s3.addressing_style path --profile ${p}`,
    '',
    `aws --profile ${p} --endpoint-url ${shellQuote(i.endpoint)} s3 ls`,
  ].join('\n');
}

export function rcloneSnippet(i: SnippetInput): string {
  const name = profileName(i.datasource);
  return [
    `# ~/.config/rclone/rclone.conf`,
    `[${name}]`,
    `type = s3`,
    `provider = Other`,
    `access_key_id = ${i.accessKeyId}`,
    `secret_access_key = ${i.secretAccessKey}`,
    `endpoint = ${i.endpoint}`,
    `region = ${i.region || 'us-east-1'}`,
    `force_path_style = true`,
    '',
    `# then: rclone lsd ${name}:`,
  ].join('\n');
}

export function sdkSnippet(i: SnippetInput): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    `import { S3Client, ListBucketsCommand } from '@aws-sdk/client-s3';`,
    ``,
    `const s3 = new S3Client({`,
    `  endpoint: ${q(i.endpoint)},`,
    `  region: ${q(i.region || 'us-east-1')},`,
    `  forcePathStyle: true,`,
    `  credentials: {`,
    `    accessKeyId: ${q(i.accessKeyId)},`,
    `    secretAccessKey: ${q(i.secretAccessKey)},`,
    `  },`,
    `});`,
    ``,
    `const { Buckets } = await s3.send(new ListBucketsCommand({}));`,
    `console.log(Buckets?.map((b) => b.Name));`,
  ].join('\n');
}
