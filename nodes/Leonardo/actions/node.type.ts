import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { PlanProfile } from '../../shared/plans';

export interface OperationContext {
	/** The credential's plan profile (Custom limits applied). */
	plan: PlanProfile;
}

/** Every `<operation>.operation.ts` exports exactly these two. */
export interface LeonardoOperation {
	description: INodeProperties[];
	/** Handles ONE input item; returns its output items (each with pairedItem). Throws on failure. */
	execute: (this: IExecuteFunctions, i: number, context: OperationContext) => Promise<INodeExecutionData[]>;
	/**
	 * Batch operation (LoRA → Train): the router calls `execute` ONCE with i = 0 for the whole input; the
	 * operation reads every item itself (this.getInputData()) and pairs its output with all of them. On a
	 * failure with continueOnFail, the router returns one error item paired with every input item.
	 */
	batch?: boolean;
}

export type ResourceOperations = Record<string, LeonardoOperation>;
