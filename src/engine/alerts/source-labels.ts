import type { EcsDocument } from '../ecs/ecs-document';
import { getText } from './field-access';

/**
 * `AS16509 Amazon.com, Inc.; Ashburn, US`: who owns the caller's address and where it is, the first triage question
 * ("our office, an AWS service, a cloud provider, or a residential ISP abroad?"). Undefined without AS or geo fields.
 */
export function sourceNetworkLabel(document: EcsDocument): string | undefined {
  const number = getText(document, 'source.as.number');
  const organization = getText(document, 'source.as.organization.name');
  const as = [number && `AS${number}`, organization].filter(Boolean).join(' ');
  const country = getText(document, 'source.geo.country_iso_code') ?? getText(document, 'source.geo.country_name');
  const place = [getText(document, 'source.geo.city_name'), country].filter(Boolean).join(', ');
  const label = [as, place].filter((part) => part !== '').join('; ');
  return label === '' ? undefined : label;
}

/** AWS SDK user agents name the platform as `os/macos#23.6.0`; uap-core does not parse that token. */
const SDK_PLATFORMS: Readonly<Record<string, string>> = { macos: 'macOS', linux: 'Linux', windows: 'Windows', ios: 'iOS', android: 'Android' };

/**
 * `aws-cli 2.17 on macOS`: the tool, its major.minor version and platform, from the parsed user agent (the
 * platform of an AWS SDK agent from its `os/` token when uap-core found none). Undefined when the tool is unknown.
 */
export function userAgentLabel(document: EcsDocument): string | undefined {
  const name = getText(document, 'user_agent.name');
  if (name === undefined || name === 'Other') return undefined;
  const version = getText(document, 'user_agent.version')?.split('.').slice(0, 2).join('.');
  const sdkPlatform = getText(document, 'user_agent.original')?.match(/(?:^|\s)os\/([a-z]+)/i)?.[1].toLowerCase();
  const platform = getText(document, 'user_agent.os.name') ?? (sdkPlatform && (SDK_PLATFORMS[sdkPlatform] ?? sdkPlatform));
  return `${name}${version ? ` ${version}` : ''}${platform ? ` on ${platform}` : ''}`;
}
