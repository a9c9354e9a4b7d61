/**
 * The learned policy's counters as plain numbers, for metrics (the node exports them later) and
 * for the simulator's reports. Counts are totals since the policy was built.
 */
export interface MlHybridStats {
  /** Requests seen: the logical clock. */
  requests: number;
  /** Evictions the model chose, and evictions left to the base policy. */
  modelEvictions: number;
  baseEvictions: number;
  /** Evictions where the model was asked and confirmed the base's own victim. */
  modelKeptBase: number;
  /** Of the model's evictions, those the saturation prior chose (saturation-prior.ts). */
  priorEvictions: number;
  /** Times the prior's guard switched the prior off (prior-guard.ts). */
  priorGuardTrips: number;
  /** Evicted or removed keys whose history the features remember, and the table's room. */
  ghostKeys: number;
  ghostCapacity: number;
  /** Scored candidate batches. */
  batches: number;
  /** Evictions (or batches, for scorerError and deadline) that fell back to the base, by reason. */
  fallbacks: {
    noModel: number;
    breakerOpen: number;
    scorerError: number;
    deadline: number;
    shadow: number;
    /** Remote scoring: the base's victim had no score from the remote model yet. */
    notScored: number;
    /** Running as the plain base: the learned state did not pay for its memory (`plainSustain`). */
    plain: number;
  };
  /** 0 closed, 1 open, 2 half-open. */
  breakerState: number;
  breakerOpens: number;
  /** Models installed so far (0: none yet), and requests since the current one arrived. */
  modelVersion: number;
  modelAge: number;
  modelsRefusedVersion: number;
  modelsRefusedValidation: number;
  /** Pair accuracy on held-out rows at the last validation: the new model, the current, the base. */
  lastValidation: number;
  lastValidationCurrent: number;
  lastValidationBase: number;
  /** At the last validation: how much the new and the current model disagree (model-gate.ts). */
  lastDisagreement: number;
  trainings: number;
  trainingFailures: number;
  /** Training time by the injected clock (0 without one). */
  lastTrainingMs: number;
  totalTrainingMs: number;
  labelsResolved: number;
  labelsPending: number;
  labelCap: number;
  /** The margin the model must beat the base's victim by now (raised by shadow fallbacks). */
  challengeMargin: number;
  /** `auditEvery`: pairs whose outcome is known, and the margin they call for (-1: none yet). */
  auditResolved: number;
  auditMargin: number;
  /** Times the shadow comparison made the policy fall back, and whether it is falling back now. */
  shadowFallbacks: number;
  shadowFallbackActive: number;
  shadowPercent: number;
  shadowWindows: number;
  /** Hit ratios on the shadow's sampled keys: the live policy's and the shadow base's. */
  shadowLiveHitRatio: number;
  shadowBaseHitRatio: number;
  /**
   * The same keys' hit ratio under the plain base policy alone in the same memory, its entries
   * without the learned state's charge: above the live one, the learned policy does not pay for
   * its memory. NaN where the budget is not memory (the simulator's object and byte budgets).
   */
  shadowPlainHitRatio: number;
  /**
   * `plainSustain`: 1 while the policy runs as its plain base, the times it went plain and
   * learned again, and the requests it stays plain for next time.
   */
  plainActive: number;
  plainSwitches: number;
  plainWakes: number;
  /** Of those, the times it learned again before its probation ended: the workload turned. */
  plainShiftWakes: number;
  plainProbation: number;
  /** `adaptiveBase`: times the order proposing victims changed, and 1 while it is not the own base's. */
  baseSwitches: number;
  otherBaseActive: number;
  /** Remote scoring: the remote model's version at its last answer (0: none yet). */
  remoteModelVersion: number;
  /** Remote scoring: batches sent, usable answers, answers dropped after their deadline. */
  remoteBatches: number;
  remoteAnswers: number;
  remoteLate: number;
  /** Remote scoring: challenges of a base victim that was not scored, against the typical score. */
  remoteHeadEstimated: number;
  /** 1 while a batch awaits its answer. */
  remoteInFlight: number;
  /** Remote scoring: round trip of the last usable answer, ms. */
  remoteLastMs: number;
  /** Sample sink: training windows handed over, submissions that failed, windows skipped. */
  sinkSubmitted: number;
  sinkFailures: number;
  sinkSkipped: number;
}

export function emptyStats(): MlHybridStats {
  return {
    requests: 0,
    modelEvictions: 0,
    baseEvictions: 0,
    modelKeptBase: 0,
    priorEvictions: 0,
    priorGuardTrips: 0,
    ghostKeys: 0,
    ghostCapacity: 0,
    batches: 0,
    fallbacks: {
      noModel: 0,
      breakerOpen: 0,
      scorerError: 0,
      deadline: 0,
      shadow: 0,
      notScored: 0,
      plain: 0,
    },
    breakerState: 0,
    breakerOpens: 0,
    modelVersion: 0,
    modelAge: 0,
    modelsRefusedVersion: 0,
    modelsRefusedValidation: 0,
    lastValidation: 0,
    lastValidationCurrent: 0,
    lastValidationBase: 0,
    lastDisagreement: 0,
    trainings: 0,
    trainingFailures: 0,
    lastTrainingMs: 0,
    totalTrainingMs: 0,
    labelsResolved: 0,
    labelsPending: 0,
    labelCap: 0,
    challengeMargin: 0,
    auditResolved: 0,
    auditMargin: -1,
    shadowFallbacks: 0,
    shadowFallbackActive: 0,
    shadowPercent: 0,
    shadowWindows: 0,
    shadowLiveHitRatio: 0,
    shadowBaseHitRatio: 0,
    shadowPlainHitRatio: Number.NaN,
    plainActive: 0,
    plainSwitches: 0,
    plainWakes: 0,
    plainShiftWakes: 0,
    plainProbation: 0,
    baseSwitches: 0,
    otherBaseActive: 0,
    remoteModelVersion: 0,
    remoteBatches: 0,
    remoteAnswers: 0,
    remoteLate: 0,
    remoteHeadEstimated: 0,
    remoteInFlight: 0,
    remoteLastMs: 0,
    sinkSubmitted: 0,
    sinkFailures: 0,
    sinkSkipped: 0,
  };
}
