import Foundation
import Testing
@testable import DiffWave

private func checkpoint(_ name: String) throws -> TorchCheckpoint {
    try TorchCheckpoint.load(contentsOf: Fixtures.url(name))
}

private func checkpointError(_ data: Data) -> DiffWaveError? {
    do {
        _ = try TorchCheckpoint(data: data)
        return nil
    } catch {
        return error
    }
}

private func stateDictError(_ ckpt: TorchCheckpoint, _ key: String = "model") -> DiffWaveError? {
    do {
        _ = try ckpt.stateDict(key)
        return nil
    } catch {
        return error
    }
}

/// Expected values were read from the raw storage bytes with Python's zipfile and numpy.
struct TorchCheckpointTests {
    @Test func loadsTheZipFormatLearnerCheckpoint() throws {
        let ckpt = try checkpoint("tiny.pt")
        #expect(ckpt.root.pairs?.compactMap(\.key.stringValue) == ["step", "model", "optimizer", "params", "scaler"])
        #expect(ckpt.root["step"] == .int(1011))
        let weights = try ckpt.stateDict()
        #expect(weights.count == 62)
        let conv = try #require(weights["residual_layers.0.dilated_conv.weight"])
        #expect(conv.shape == [16, 8, 3])
        #expect(Array(conv.data.prefix(3)) == [-0.29798033833503723, -0.18267466127872467, 0.014805205166339874])
        #expect(conv.data.last == 0.2509799003601074)
        #expect(abs(conv.data.reduce(0) { $0 + Double($1) } - -5.351169192814268) < 1e-5)
        #expect(weights["input_projection.weight"]?.shape == [8, 1, 1])
        #expect(weights["input_projection.weight"]?.data.first == -0.213613823056221)
        let output = try #require(weights["output_projection.weight"])
        #expect(output.shape == [1, 8, 1] && output.data.last == -0.325708270072937)
        #expect(weights["diffusion_embedding.projection1.weight"]?.shape == [512, 128])
    }

    @Test func readsTheParams() throws {
        let params = try #require(try checkpoint("tiny.pt").params)
        #expect(params["residual_layers"]?.intValue == 6)
        #expect(params["residual_channels"]?.intValue == 8)
        #expect(params["dilation_cycle_length"]?.intValue == 3)
        #expect(params["n_mels"]?.intValue == 80)
        #expect(params["hop_samples"]?.intValue == 256)
        #expect(params["unconditional"]?.boolValue == false)
        #expect(params["learning_rate"]?.doubleValue == 0.0002)
        #expect(params["max_grad_norm"] == PickleValue.none)
        let schedule = try #require(params["noise_schedule"]?.doubleArray)
        #expect(schedule.count == 50 && schedule.first == 0.0001 && schedule.last == 0.05)
        #expect(params["inference_noise_schedule"]?.doubleArray == [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5])
    }

    @Test func loadsTheLegacyFormatTheSameWay() throws {
        let ckpt = try checkpoint("tiny_legacy.pt")
        #expect(ckpt.root.pairs?.compactMap(\.key.stringValue) == ["step", "model", "optimizer", "params", "scaler"])
        let weights = try ckpt.stateDict()
        #expect(weights.count == 62)
        let conv = try #require(weights["residual_layers.0.dilated_conv.weight"])
        #expect(conv.shape == [16, 8, 3])
        #expect(Array(conv.data.prefix(3)) == [-0.28553342819213867, -0.6124594211578369, -0.09137453138828278])
        #expect(conv.data.last == 0.05707458034157753)
        #expect(weights["output_projection.weight"]?.data.last == 0.4301706552505493)
        #expect(ckpt.params?["residual_layers"]?.intValue == 6)
        #expect(ckpt.params?["dilation_cycle_length"]?.intValue == 3)
    }

    @Test func loadsTheUnconditionalModelWithoutOptimizer() throws {
        let ckpt = try checkpoint("tiny_uncond.pt")
        #expect(ckpt.root.pairs?.compactMap(\.key.stringValue) == ["model", "params"])
        let weights = try ckpt.stateDict()
        #expect(weights.count == 34)
        #expect(weights["residual_layers.0.dilated_conv.weight"]?.data.first == -0.04047182574868202)
        #expect(weights.keys.allSatisfy { !$0.contains("spectrogram_upsampler") && !$0.contains("conditioner") })
        #expect(ckpt.params?["unconditional"]?.boolValue == true)
        #expect(ckpt.params?["residual_layers"]?.intValue == 4)
    }

    @Test(arguments: ["torch/views.pt", "torch/views_deflated.pt"])
    func convertsStorageDtypesAndStridedViews(file: String) throws {
        let ckpt = try checkpoint(file)
        let w = try ckpt.stateDict()
        // `module.` (DataParallel) is stripped.
        #expect(Set(w.keys) == ["half", "bf16", "double", "matrix", "transposed", "column", "tail", "scalar"])
        #expect(w["half"] == Tensor(shape: [4], data: [0.5, -1.25, 65504, 0x1p-24]))
        #expect(w["bf16"] == Tensor(shape: [3], data: [1.5, -3, 256]))
        #expect(w["double"] == Tensor(shape: [2], data: [Float(0.1), Float(0.2)]))
        #expect(w["matrix"] == Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        #expect(w["transposed"] == Tensor(shape: [3, 2], data: [1, 4, 2, 5, 3, 6]))
        #expect(w["column"] == Tensor(shape: [2], data: [2, 5]))
        #expect(w["tail"] == Tensor(shape: [2], data: [5, 6]))
        #expect(w["scalar"] == Tensor(shape: [], data: [6]))
        let params = try #require(ckpt.params)
        #expect(params["noise_schedule"]?.doubleArray == [0.1, 0.2])
        #expect(params["unconditional"]?.boolValue == true && params["name"]?.stringValue == "views")
    }

    @Test func leavesNonFloatStoragesAloneUntilAsked() throws {
        // The optimizer state holds a LongStorage; loading the model never converts it.
        let ckpt = try checkpoint("torch/views.pt")
        _ = try ckpt.stateDict()
        #expect(stateDictError(ckpt, "counts") == DiffWaveError(.checkpoint, "tensor 'step' is stored as LongStorage, which does not hold floats"))
        #expect(stateDictError(ckpt, "optimizer") == DiffWaveError(.checkpoint, "state dict entry 'state' is not a tensor (found dict)"))
        #expect(stateDictError(ckpt, "step") == DiffWaveError(.checkpoint, "checkpoint entry 'step' is not a state dict (found int)"))
        #expect(stateDictError(ckpt, "ema") == DiffWaveError(.checkpoint, "checkpoint has no 'ema' state dict (top-level keys: step, model, params, optimizer, counts)"))
    }

    @Test func acceptsABareStateDict() throws {
        let ckpt = try checkpoint("torch/bare_state_dict.pt")
        #expect(try ckpt.stateDict() == ["w": Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])])
        #expect(ckpt.params == nil)
    }

    @Test func followsLegacyStorageViews() throws {
        let w = try checkpoint("torch/views_legacy.pt").stateDict()
        #expect(w["window"] == Tensor(shape: [3], data: [3, 4, 5]))
        #expect(w["full"] == Tensor(shape: [6], data: [1, 2, 3, 4, 5, 6]))
    }

    @Test func refusesATensorReachingOutsideItsStorage() throws {
        let ckpt = try checkpoint("torch/out_of_bounds.pt")
        #expect(stateDictError(ckpt) == DiffWaveError(.checkpoint, "tensor 'w' (size [2, 2], stride [2, 1], offset 4) reaches outside its storage of 6 elements"))
    }

    @Test func refusesAForbiddenGlobalInsideTheArchive() throws {
        let error = checkpointError(try Fixtures.data("torch/forbidden.pt"))
        #expect(error == DiffWaveError(.pickle, "checkpoint names a forbidden global 'os.system' at offset 2; nothing was imported or run"))
        // The same pickle on its own, where a legacy file's magic would be.
        let bare = Data([0x80, 2] + Array("cos\nsystem\n".utf8) + [0x58, 2, 0, 0, 0] + Array("ls".utf8) + [0x85, 0x52, 0x2E])
        #expect(checkpointError(bare)?.message.contains("forbidden global 'os.system'") == true)
    }

    @Test func refusesBigEndianCheckpoints() throws {
        let error = checkpointError(try Fixtures.data("torch/big_endian.pt"))
        #expect(error == DiffWaveError(.checkpoint, "checkpoint was saved on a big-endian machine, which is not supported"))
    }

    @Test func refusesTruncatedCheckpoints() throws {
        let zip = try Fixtures.data("tiny.pt")
        #expect(checkpointError(zip.prefix(zip.count / 2)) == DiffWaveError(.checkpoint, "checkpoint is truncated or not a zip archive (no end-of-central-directory record)"))
        let legacy = try Fixtures.data("tiny_legacy.pt")
        let cutInData = checkpointError(legacy.prefix(legacy.count / 2))
        #expect(cutInData?.code == .checkpoint)
        #expect(cutInData?.message.hasPrefix("checkpoint is truncated: storage '") == true)
        let cutInPickle = checkpointError(legacy.prefix(1000))
        #expect(cutInPickle?.code == .checkpoint)
        #expect(cutInPickle?.message.hasPrefix("checkpoint is truncated: pickle: pickle data ends early") == true)
    }

    @Test func refusesFilesThatAreNotCheckpoints() throws {
        let notTorch = DiffWaveError(.checkpoint, "not a torch checkpoint (no zip signature, no legacy magic)")
        #expect(checkpointError(Data()) == notTorch)
        #expect(checkpointError(try Fixtures.data("tiny.mel.npy")) == notTorch)
        // An ordinary pickle: {'a': 1}
        let plain = Data([0x80, 2, 0x7D, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x4B, 1, 0x73, 0x2E])
        #expect(checkpointError(plain) == DiffWaveError(.checkpoint, "not a torch checkpoint (a pickle without torch's legacy magic number)"))
        // A zip that is an npz, not a checkpoint.
        let npz = try Fixtures.data("tiny.forward.npz")
        #expect(checkpointError(npz) == DiffWaveError(.checkpoint, "not a torch checkpoint (zip archive without <name>/data.pkl)"))
    }

    @Test func reportsAMissingFileAsIO() {
        let error = #expect(throws: DiffWaveError.self) {
            try TorchCheckpoint.load(contentsOf: URL(fileURLWithPath: "/nonexistent/model.pt"))
        }
        #expect(error?.code == .io && error?.message.hasPrefix("cannot read checkpoint /nonexistent/model.pt: ") == true)
    }

    @Test(arguments: ["tiny.pt", "tiny_legacy.pt"])
    func readsFromADataSlice(file: String) throws {
        // An upload or a file region arrives as a slice whose indices do not start at 0.
        let data = try Fixtures.data(file)
        let slice = (Data([1, 2, 3]) + data).dropFirst(3)
        let fromSlice = try TorchCheckpoint(data: slice).stateDict()
        #expect(fromSlice == (try TorchCheckpoint(data: data).stateDict()))
    }
}
