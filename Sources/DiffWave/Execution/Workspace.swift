/// A job's scratch memory and compute threads for one utterance length, laid out as its
/// `ExecutionPlan` says: whole-signal activations plus, per compute thread, one time tile of
/// intermediates, and the caches the plan chose. Allocated once per request (the whole-signal
/// buffers from the thread's last workspace's mappings where they fit, `LargeAllocation.Spares`);
/// the step loop never allocates.
public final class Workspace {
    let plan: ExecutionPlan
    /// Residual stream in and out of the current layer, and the skip sum: (C, N) each.
    let x: UnsafeMutablePointer<Float>
    let xNext: UnsafeMutablePointer<Float>
    let skip: UnsafeMutablePointer<Float>
    /// The step embedding (512), its hidden layer (512), its table row (128), and every layer's
    /// projection of it (L, C).
    let embedding: UnsafeMutablePointer<Float>
    let hidden: UnsafeMutablePointer<Float>
    let tableRow: UnsafeMutablePointer<Float>
    let stepBias: UnsafeMutablePointer<Float>
    /// Class-conditional models: every layer's gate bias with the label's projection in it
    /// (L, 2C) (`DiffWave.embedLabel`), for the label it was computed for: once per request, not per step.
    private let labelBiasStorage: UnsafeMutablePointer<Float>?
    private var labelBiasLabel: Int?
    /// The upsampled mel `(M, N)` in the GEMMs' input format (float32, or bfloat16 bit
    /// patterns), one contiguous `(M, width)` block per tile, computed once per request
    /// (`cacheConditioner`) if the plan caches it; else the upsampler's second layer runs per
    /// tile in every layer and step.
    let melStorage: UnsafeMutableRawPointer?
    /// The conditioner's projection `W_mel @ mel (2C, N)` of the plan's first `cachedLayers`
    /// layers, in the GEMMs' input format (float32, or bfloat16 bit patterns: the gate widens
    /// them), computed by the first step of a request and read by the others: a block
    /// `(2C, width)` per tile of the layer at its `cacheColumn`, in the column order the tile's
    /// step uses (phase order where Winograd applies).
    let conditionerStorage: UnsafeMutableRawPointer
    /// Whether the steps read the cached projections; cleared by `cacheConditioner` for the
    /// request's conditioner, so that its first step computes and stores them.
    var conditionerCached = false
    /// Each thread's tile scratch.
    let scratch: [TileScratch]
    /// The threads that run the ranges.
    let team: ComputeTeam
    /// Every buffer above, released with the workspace.
    private let allocations: [LargeAllocation]

    /// A workspace for the plan made from these settings (`ExecutionPlan`); `tile` defaults to
    /// `ExecutionPlan.tileColumns`.
    /// - Throws: `DiffWaveError` when `precision` is bfloat16 and this CPU cannot run it.
    public convenience init(model: DiffWave, samples: Int, threads: Int = 1, precision: Precision = .float32,
                            tile: Int? = nil, memoryBudgetBytes: Int = 0) throws(DiffWaveError) {
        try self.init(model: model, plan: ExecutionPlan(model: model, samples: samples, threads: threads, precision: precision,
                                                    tile: tile ?? ExecutionPlan.tileColumns, memoryBudgetBytes: memoryBudgetBytes))
    }

    init(model: DiffWave, plan: ExecutionPlan) throws(DiffWaveError) {
        self.plan = plan
        let layout = plan.layout, c = layout.channels, samples = plan.samples
        var allocations: [LargeAllocation] = []
        // The whole-signal buffers are written before they are read (x by the input projection,
        // x' by each layer, the skip sum cleared, the caches filled): they may reuse the thread's
        // last workspace's mappings.
        let spares = LargeAllocation.Spares.current
        func alloc(_ n: Int, reuse: Bool = false) -> UnsafeMutablePointer<Float> {
            allocations.append(LargeAllocation(floats: n, spares: reuse ? spares : nil))
            return allocations.last!.floats
        }
        x = alloc(c * samples, reuse: true)
        xNext = alloc(c * samples, reuse: true)
        skip = alloc(c * samples, reuse: true)
        embedding = alloc(DiffWaveConfig.embeddingWidth)
        hidden = alloc(DiffWaveConfig.embeddingWidth)
        tableRow = alloc(DiffWaveConfig.embeddingTableWidth)
        stepBias = alloc(model.config.residualLayers * c)
        labelBiasStorage = model.config.conditioning.labels == nil ? nil : alloc(model.config.residualLayers * 2 * c)
        melStorage = plan.cachesMel ? UnsafeMutableRawPointer(alloc((layout.melBytes + 3) / 4, reuse: true)) : nil
        conditionerStorage = UnsafeMutableRawPointer(alloc((plan.cachedLayers * layout.cachedLayerBytes + 3) / 4, reuse: true))
        // Every range's tile widths in every thread's scratch: a thread takes the others' tiles
        // once done with its own (`ComputeTeam.drain`).
        let tile = plan.tile
        let widths = Set(plan.ranges.flatMap { [min(tile, $0.count), $0.count % tile] }.filter { $0 > 0 })
        scratch = try plan.ranges.map { _ throws(DiffWaveError) in
            try TileScratch(channels: c, depth: layout.depth, tile: tile, widths: widths, precision: plan.precision, allocate: { alloc($0) })
        }
        self.allocations = allocations
        spares.releaseUntaken()
        team = ComputeTeam(count: plan.threads, queues: ForwardPass.queues(layers: model.packed.layers.count))
    }

    /// The GEMMs' input format.
    public var precision: Precision { plan.precision }
    public var threads: Int { plan.threads }
    var samples: Int { plan.samples }

    /// Bytes held, for memory accounting.
    public var byteCount: Int { plan.layout.bytes(cachedLayers: plan.cachedLayers, melCached: plan.cachesMel) }

    /// The gate biases `(L, 2C)` for class `label`, computed when the label changes.
    func labelBias(for label: Int, model: DiffWave) -> UnsafePointer<Float> {
        let storage = labelBiasStorage!
        if labelBiasLabel != label {
            model.embedLabel(label, into: storage)
            labelBiasLabel = label
        }
        return UnsafePointer(storage)
    }

    /// Runs `body(thread, range)` for every thread's column range, in parallel, and waits.
    func forEachRange(_ body: (Int, Range<Int>) -> Void) {
        let ranges = plan.ranges
        team.run { k in body(k, ranges[k]) }
    }
}
