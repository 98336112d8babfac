import { describe, expect, it } from 'vitest';
import { awsCliSnippet, rcloneSnippet, sdkSnippet, shellQuote } from './snippets.js';

const input = { datasource: 'team', endpoint: 'http://127.0.0.1:9100', accessKeyId: 'BGAK1', secretAccessKey: "s3cr/et+'q" };

describe('client snippets', () => {
  it('aws cli: a profile with the issued keys and --endpoint-url, secret safely quoted for the shell', () => {
    const s = awsCliSnippet(input);
    expect(s).toContain('aws configure set aws_access_key_id BGAK1 --profile bucketgate-team');
    expect(s).toContain(`aws configure set aws_secret_access_key 's3cr/et+'\\''q' --profile bucketgate-team`);
    expect(s).toContain('aws --profile bucketgate-team --endpoint-url http://127.0.0.1:9100 s3 ls');
  });

  it('rclone: an s3 remote with path-style addressing', () => {
    const s = rcloneSnippet(input);
    expect(s).toContain('[bucketgate-team]\ntype = s3\nprovider = Other');
    expect(s).toContain("secret_access_key = s3cr/et+'q");
    expect(s).toContain('endpoint = http://127.0.0.1:9100');
    expect(s).toContain('force_path_style = true');
  });

  it('@aws-sdk/client-s3: a client with endpoint, forcePathStyle and the keys as JS strings', () => {
    const s = sdkSnippet(input);
    expect(s).toContain('endpoint: "http://127.0.0.1:9100"');
    expect(s).toContain('forcePathStyle: true');
    expect(s).toContain(`secretAccessKey: "s3cr/et+'q"`);
  });

  it.each([
    ['plain', 'plain'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
  ])('shellQuote(%s)', (raw, quoted) => expect(shellQuote(raw)).toBe(quoted));
});
