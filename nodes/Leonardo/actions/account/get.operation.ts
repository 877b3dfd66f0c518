import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { GetMeResponse } from '../../../shared/contract';
import { planOutputFields } from '../../helpers/plan';
import { apiRequest } from '../../transport';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [];

const displayOptions = { show: { resource: ['account'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	i: number,
	{ plan }: OperationContext,
): Promise<INodeExecutionData[]> {
	const response = (await apiRequest.call(this, 'GET', '/me', { itemIndex: i })) as GetMeResponse;
	const details = response.user_details?.[0];
	if (!details) {
		throw new NodeOperationError(this.getNode(), 'Leonardo /me returned no user details', { itemIndex: i });
	}
	const apiTokens = (details.apiPaidTokens ?? 0) + (details.apiSubscriptionTokens ?? 0);
	return [
		{
			json: {
				userId: details.user?.id,
				username: details.user?.username,
				apiTokens,
				apiPaidTokens: details.apiPaidTokens,
				apiSubscriptionTokens: details.apiSubscriptionTokens,
				subscriptionTokens: details.subscriptionTokens,
				subscriptionGptTokens: details.subscriptionGptTokens,
				subscriptionModelTokens: details.subscriptionModelTokens,
				paidTokens: details.paidTokens,
				apiConcurrencySlots: details.apiConcurrencySlots,
				tokenRenewalDate: details.tokenRenewalDate,
				apiPlanTokenRenewalDate: details.apiPlanTokenRenewalDate,
				...planOutputFields(plan),
				planLimits: {
					requestsPerMinute: plan.requestsPerMinute,
					concurrentJobs: plan.concurrentJobs,
					loraTrainingsPerMonth: plan.loraTrainingsPerMonth,
					characterReference: plan.characterReference,
					motion: plan.motion.access,
					maxWidth: plan.maxWidth,
					maxHeight: plan.maxHeight,
				},
			},
			pairedItem: { item: i },
		},
	];
}
