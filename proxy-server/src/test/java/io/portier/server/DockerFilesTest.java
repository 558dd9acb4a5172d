package io.portier.server;

import io.portier.config.ConfigLoader;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;
import io.portier.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The files under {@code docker/} agree with the code and with each other. Nothing here runs a
 * container; the facts an image build or a cluster would only reveal late are pinned as text.
 * Maven runs this with the proxy-server module as working directory.
 */
class DockerFilesTest {
    private static final Path DOCKER = Path.of("..", "docker");

    @Test
    void demoConfigLoadsWithAnAdminToken() throws InvalidConfigException {
        PortierConfig config = demoConfig();

        assertThat(config.admin().bind().toString()).isEqualTo("0.0.0.0:9901");
        assertThat(config.listeners()).containsOnlyKeys("web");
        assertThat(config.listeners().get("web").pool()).isEqualTo("web");
        assertThat(config.listeners().get("web").binds()).singleElement()
                .hasToString("0.0.0.0:8080");
        assertThat(config.pools()).containsOnlyKeys("web");
        assertThat(config.pools().get("web").servers()).extracting(ServerConfig::address)
                .containsExactly("web-a:80", "web-b:80");
    }

    @Test
    void demoConfigIsRejectedWithoutAnAdminToken() {
        String text = read("portier.conf").replace("${?PORTIER_ADMIN_TOKEN}", "\"\"");

        assertThatThrownBy(() -> ConfigLoader.parse(text, "docker/portier.conf"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("portier.admin.bind");
    }

    @Test
    void configMapCarriesTheDemoConfigVerbatim() {
        String embedded = blockScalar(read("k8s/configmap.yaml"), "portier.conf");

        assertThat(embedded).isEqualTo(read("portier.conf"));
    }

    @Test
    void deploymentMountsTheConfigMapAsADirectoryAndProbesTheAdminApi() {
        String deployment = read("k8s/deployment.yaml");

        assertThat(deployment)
                .containsPattern("- name: config\\s+mountPath: /etc/portier\\s+readOnly: true")
                .containsPattern("- name: config\\s+configMap:\\s+name: portier-config")
                .doesNotContain("subPath:")
                .containsPattern("readinessProbe:\\s+httpGet:\\s+path: /readyz\\s+port: 9901")
                .containsPattern("livenessProbe:\\s+httpGet:\\s+path: /healthz\\s+port: 9901")
                .contains("runAsNonRoot: true", "readOnlyRootFilesystem: true", "mountPath: /tmp")
                .containsPattern("replicas: 2")
                .containsPattern("requests:\\s+cpu: \\S+\\s+memory: \\S+")
                .containsPattern("limits:\\s+cpu: \\S+\\s+memory: \\S+")
                .containsPattern("name: PORTIER_ADMIN_TOKEN\\s+valueFrom:\\s+secretKeyRef:\\s+"
                        + "name: portier-admin\\s+key: token");
        assertThat(read("k8s/configmap.yaml")).contains("name: portier-config");
        assertThat(read("k8s/secret.yaml")).contains("name: portier-admin").containsPattern("\n  token: ");
    }

    @Test
    void gracePeriodsOutlastTheDrainAndItsMargin() throws InvalidConfigException {
        Duration shutdown = Lifecycle.shutdownBound(demoConfig());

        Duration kubernetes = Duration.ofSeconds(Long.parseLong(
                group(read("k8s/deployment.yaml"), "terminationGracePeriodSeconds: (\\d+)")));
        Duration compose = Duration.ofSeconds(Long.parseLong(
                group(read("compose.yaml"), "stop_grace_period: (\\d+)s")));

        assertThat(kubernetes).isGreaterThan(shutdown);
        assertThat(compose).isGreaterThan(shutdown);
    }

    @Test
    void composeMountsTheConfigAndSetsTheAdminToken() {
        String compose = read("compose.yaml");

        assertThat(compose)
                .contains("- ./portier.conf:/etc/portier/portier.conf:ro")
                .containsPattern("PORTIER_ADMIN_TOKEN: \"\\$\\{PORTIER_ADMIN_TOKEN:-[^}]+}\"")
                .containsPattern("context: \\.\\.\\s+dockerfile: docker/Dockerfile")
                .contains("web-a:", "web-b:", "image: nginx:stable");
    }

    @Test
    void yamlFilesAreIndentedWithSpacesOnly() throws IOException {
        try (Stream<Path> files = Files.walk(DOCKER)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(yaml).hasSize(5);
            assertThat(yaml).allSatisfy(p -> assertThat(Files.readString(p)).doesNotContain("\t"));
        }
    }

    @Test
    void dockerfileExecsTheJarTheBuildStageProduces() {
        String dockerfile = read("Dockerfile");
        String finalName = group(readModule("pom.xml"), "<finalName>([^<]+)</finalName>");

        assertThat(dockerfile)
                .contains("RUN --mount=type=cache,target=/root/.m2 \\\n"
                        + "    mvn -B -DskipTests package -pl proxy-server -am")
                .contains("COPY --from=build /src/proxy-server/target/" + finalName + ".jar /opt/portier/portier.jar")
                .contains("ENTRYPOINT [\"sh\", \"-c\", \"exec java -XX:PerMethodTrapLimit=0 $JAVA_OPTS -jar /opt/portier/portier.jar \\\"$@\\\"\", "
                        + "\"portier\"]")
                .contains("CMD [\"run\", \"-c\", \"/etc/portier/portier.conf\"]")
                .contains("ENV JAVA_OPTS=\"\"", "EXPOSE 8080 9901")
                .doesNotContain("HEALTHCHECK --");
        assertThat(group(dockerfile, "(?m)^USER (\\S+)")).matches("[1-9]\\d*:[1-9]\\d*");
    }

    @Test
    void dockerfileCopiesEveryModuleOfTheBuild() {
        String rootPom = readModule("../pom.xml");
        String modulesBlock = group(rootPom, "(?s)<modules>(.*?)</modules>");
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(modulesBlock);
        String dockerfile = read("Dockerfile");

        int count = 0;
        while (module.find()) {
            String name = module.group(1);
            assertThat(dockerfile).contains("COPY " + name + "/pom.xml " + name + "/",
                    "COPY " + name + "/src " + name + "/src");
            count++;
        }
        assertThat(count).isEqualTo(4);
    }

    private static PortierConfig demoConfig() throws InvalidConfigException {
        // ${?PORTIER_ADMIN_TOKEN} comes from the real environment; a later assignment stands in for it.
        return ConfigLoader.parse(read("portier.conf") + "\nportier.admin.token = \"test\"\n", "docker/portier.conf");
    }

    /**
     * The text of the literal block scalar {@code KEY: |} in YAML, without its indentation. Enough YAML
     * for our own files: clip chomping (one final newline), indentation taken from the first line.
     */
    static String blockScalar(String yaml, String key) {
        List<String> lines = yaml.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\s*" + Pattern.quote(key) + ":\\s*\\|\\s*")) {
                start = i + 1;
                break;
            }
        }
        assertThat(start).as("a line '%s: |'", key).isPositive();
        int indent = -1;
        List<String> block = new ArrayList<>();
        for (int i = start; i < lines.size(); i++) {
            String line = lines.get(i);
            int lead = line.length() - line.stripLeading().length();
            if (line.isBlank()) {
                block.add("");
            } else if (indent < 0 || lead >= indent) {
                indent = indent < 0 ? lead : indent;
                block.add(line.substring(indent));
            } else {
                break;
            }
        }
        while (!block.isEmpty() && block.get(block.size() - 1).isEmpty()) {
            block.remove(block.size() - 1);
        }
        return String.join("\n", block) + "\n";
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("/%s/ in the text", regex).isTrue();
        return m.group(1);
    }

    private static String read(String underDocker) {
        return readModule(DOCKER.resolve(underDocker).toString());
    }

    private static String readModule(String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
