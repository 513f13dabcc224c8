package dev.cvmfde.agent.initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cvmfde.agent.config.AgentConfig;
import dev.cvmfde.agent.config.AgentConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOverlayTest {
    static final String UUID = "0c0ffee0-1234-4abc-8def-0123456789ab";

    @TempDir
    Path tmp;

    private Path runtime() throws Exception {
        Path rt = Files.createDirectories(tmp.resolve("rt"));
        Files.createDirectories(rt.resolve("bin"));
        Files.createDirectories(rt.resolve("app/lib"));
        Files.writeString(rt.resolve("bin/fde-agent"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(rt.resolve("bin/fde-agent"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(rt.resolve("app/lib/x.jar"), "jar");
        return rt;
    }

    @Test
    void entries_config_hooksConfigKeyRuntimeUnderUsrAndEtc() throws Exception {
        Path key = Files.writeString(tmp.resolve("verifier.pub.pem"), "-----BEGIN PUBLIC KEY-----\n");
        AgentConfig config = AgentConfig.defaults(UUID);

        List<OverlayFile> entries = AgentOverlay.entries(config, key, runtime());
        Map<String, OverlayFile> byPath = entries.stream().collect(Collectors.toMap(OverlayFile::path, Function.identity()));

        for (String hook : AgentOverlay.HOOKS.values()) {
            assertEquals(0755, byPath.get(hook).mode(), hook);
        }
        assertEquals(0755, byPath.get("usr/lib/cvm-fde/runtime/bin/fde-agent").mode());
        assertEquals(0644, byPath.get("usr/lib/cvm-fde/runtime/app/lib/x.jar").mode());
        assertTrue(byPath.get("usr/lib/cvm-fde/runtime").directory());
        assertTrue(byPath.containsKey("etc/cvm-fde/verifier.pub.pem"));
        assertEquals(0755, byPath.get(AgentOverlay.POWEROFF).mode(), "the hooks run the power-off script");
        assertTrue(new String(byPath.get(AgentOverlay.DEBUG_SHELL_DROP_IN).content(), java.nio.charset.StandardCharsets.UTF_8)
                .contains("ExecStart=/" + AgentOverlay.POWEROFF), "debug-shell.service powers off instead");
        for (OverlayFile f : entries) {
            assertFalse(f.path().matches("(lib|lib64|bin|sbin)(/.*)?"), f.path());
            if (f.directory()) {
                assertFalse(f.path().startsWith("usr/lib/dracut"), "existing hook dirs get no entry: " + f.path());
            }
        }
        List<String> paths = entries.stream().map(OverlayFile::path).toList();
        assertEquals(paths.stream().sorted().toList(), paths, "sorted, parents first");

        Path tree = tmp.resolve("tree");
        AgentOverlay.writeTree(entries, tree);
        assertEquals(config, AgentConfigLoader.readFile(tree.resolve(AgentOverlay.CONFIG_FILE)));
        assertTrue(Files.isExecutable(tree.resolve("usr/lib/dracut/hooks/initqueue/online/90-cvmfde.sh")));
    }

    @Test
    void entries_verifierKeyOutsideEtcCvmFde_refused() throws Exception {
        Path key = Files.writeString(tmp.resolve("k.pem"), "x");
        AgentConfig config = AgentConfig.defaults(UUID).withVerifierKey(Path.of("/root/k.pem"));
        Path rt = runtime();

        assertThrows(IllegalArgumentException.class, () -> AgentOverlay.entries(config, key, rt));
    }

    @Test
    void entries_runtimeWithoutLauncher_refused() throws Exception {
        Path key = Files.writeString(tmp.resolve("k.pem"), "x");

        assertThrows(java.io.IOException.class,
                () -> AgentOverlay.entries(AgentConfig.defaults(UUID), key, Files.createDirectories(tmp.resolve("empty"))));
    }
}
