package dev.jlava.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlava.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A checkpoint split over several safetensors files, described by {@code model.safetensors.index.json}. */
public final class ShardedSafetensors implements WeightStore {
    private final Path index;
    private final Map<String, Safetensors> shardByTensor;
    private final Map<String, Safetensors> shards;

    private ShardedSafetensors(Path index, Map<String, Safetensors> shardByTensor, Map<String, Safetensors> shards) {
        this.index = index;
        this.shardByTensor = shardByTensor;
        this.shards = shards;
    }

    public static ShardedSafetensors open(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(index));
        } catch (IOException e) {
            throw new ModelFileException(index, "cannot read index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new ModelFileException(index, "no 'weight_map' object");
        Map<String, Safetensors> shards = new LinkedHashMap<>();
        Map<String, Safetensors> byTensor = new LinkedHashMap<>();
        try {
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath = index.resolveSibling(shardName);
                if (!Files.isRegularFile(shardPath)) {
                    throw new ModelFileException(index, "weight_map names shard '" + shardName + "' for tensor '" + e.getKey() + "', which does not exist");
                }
                Safetensors shard = shards.computeIfAbsent(shardName, n -> Safetensors.open(shardPath));
                if (!shard.has(e.getKey())) {
                    throw new ModelFileException(shardPath, "missing tensor '" + e.getKey() + "' that " + index.getFileName() + " places here");
                }
                byTensor.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            shards.values().forEach(Safetensors::close);
            throw e;
        }
        return new ShardedSafetensors(index, byTensor, shards);
    }

    @Override
    public Set<String> names() { return shardByTensor.keySet(); }

    @Override
    public boolean has(String name) { return shardByTensor.containsKey(name); }

    @Override
    public Tensor get(String name) {
        Safetensors s = shardByTensor.get(name);
        if (s == null) throw new ModelFileException(index, "missing tensor '" + name + "'");
        return s.get(name);
    }

    @Override
    public Path fileOf(String name) {
        Safetensors s = shardByTensor.get(name);
        return s == null ? index : s.file();
    }

    @Override
    public void close() {
        shards.values().forEach(Safetensors::close);
    }
}
