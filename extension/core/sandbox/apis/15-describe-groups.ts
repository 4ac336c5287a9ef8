/** DescribeGroups v0-v2: state, protocol and members of the groups this broker coordinates. */
import { ApiKey } from '../../kafka/protocol';
import type { SandboxApi } from './api';

export const describeGroups: SandboxApi<typeof ApiKey.DescribeGroups> = {
  key: ApiKey.DescribeGroups,
  versions: { min: 0, max: 2 },
  handle: (ctx, req, call) => ctx.groups.describeGroups(call.brokerId, req, call.apiVersion),
  errorResponse: (req, errorCode) => ({
    throttleTimeMs: 0,
    groups: req.groups.map((groupId) => ({
      errorCode,
      groupId,
      groupState: '',
      protocolType: '',
      protocolData: '',
      members: [],
    })),
  }),
};
