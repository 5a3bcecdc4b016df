package dev.jlava.reduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlava.reduce.fastv.FastV;
import dev.jlava.reduce.holitom.HoliTomConfig;
import dev.jlava.reduce.holitom.HoliTomInner;
import dev.jlava.reduce.holitom.HoliTomOuter;
import dev.jlava.reduce.st3.ProgressiveVisualTokenPruning;
import dev.jlava.reduce.st3.VisualTokenAnnealing;
import dev.jlava.reduce.visionzip.VisionZip;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReductionPlanParserTest {

    @Test
    void noneIsEmpty() {
        ReductionPlan p = ReductionPlanParser.parse(" none ");
        assertThat(p.isNone()).isTrue();
        assertThat(p.outerOrNone()).isSameAs(VisualReducer.NONE);
        assertThat(p.describe()).isEqualTo("none");
    }

    @Test
    void bareHoliTomIsTheOfficialScriptSetting() {
        ReductionPlan p = ReductionPlanParser.parse("holitom");
        HoliTomOuter outer = (HoliTomOuter) p.outer().orElseThrow();
        assertThat(outer.config()).isEqualTo(HoliTomConfig.DEFAULTS);
        assertThat(outer.config().retainRatio()).isEqualTo(0.15);
        assertThat(outer.config().tau()).isEqualTo(0.80);
        HoliTomInner inner = (HoliTomInner) p.layers().get(0);
        assertThat(inner.layer()).isEqualTo(18);
        assertThat(inner.ratio()).isEqualTo(0.5);
        assertThat(p.needsAttentionAfter(17)).isTrue();
        assertThat(p.needsAttentionAfter(16)).isFalse();
        assertThat(p.needsHiddenBefore(18)).isTrue();
        p.validate(28);
        assertThatThrownBy(() -> p.validate(2)).isInstanceOf(PlanSyntaxException.class)
                .hasMessageContaining("k=18").hasMessageContaining("2 decoder layers");
    }

    @Test
    void holitomWithParametersHasAnInnerStageOnlyWhenKIsGiven() {
        ReductionPlan outerOnly = ReductionPlanParser.parse("holitom(r=0.10,tau=0.65)");
        assertThat(outerOnly.layers()).isEmpty();
        HoliTomConfig c = ((HoliTomOuter) outerOnly.outer().orElseThrow()).config();
        assertThat(c).isEqualTo(new HoliTomConfig(0.10, 0.65, 0.6, 0, 7, 1024, false));

        ReductionPlan full = ReductionPlanParser.parse("HoliTom(R=0.15, tau=0.8, beta=0.6, d=0.5, knn=5, k=1, mr=0.25)");
        assertThat(((HoliTomOuter) full.outer().orElseThrow()).config()).isEqualTo(new HoliTomConfig(0.15, 0.8, 0.6, 0.5, 5, 1024, false));
        assertThat(((HoliTomInner) full.layers().get(0)).layer()).isEqualTo(1);
        assertThat(full.describe()).isEqualTo("holitom(r=0.15,tau=0.8,beta=0.6,d=0.5,knn=5,k=1,mr=0.25)");
        assertThat(ReductionPlanParser.parse("holitom(outer=0,k=3,mr=0.5)").outer()).isEmpty();
    }

    @Test
    void st3IsPvtpPlusVta() {
        ReductionPlan p = ReductionPlanParser.parse("st3");
        var pvtp = (ProgressiveVisualTokenPruning) p.layers().get(0);
        assertThat(pvtp.config()).usingRecursiveComparison().isEqualTo(ProgressiveVisualTokenPruning.Config.DEFAULTS);
        var vta = (VisualTokenAnnealing) p.cache().orElseThrow();
        assertThat(vta.config()).isEqualTo(VisualTokenAnnealing.Config.DEFAULTS);
        assertThat(p.describe()).isEqualTo("pvtp(k0=2,stride=2,ratio=0.2)+vta(floor=0.25,horizon=128)");
        ReductionPlan q = ReductionPlanParser.parse("st3(k0=1,stride=1,ratio=0.2,horizon=16)");
        assertThat(((ProgressiveVisualTokenPruning) q.layers().get(0)).schedule(576, 4)).containsExactly(576, 461, 369, 295);
        assertThat(((VisualTokenAnnealing) q.cache().orElseThrow()).config().horizon()).isEqualTo(16);
    }

    @Test
    void stagesCompose() {
        ReductionPlan p = ReductionPlanParser.parse("holitom(r=0.2,k=18,mr=0.5)+vta(floor=0.3,horizon=64,shape=linear)");
        assertThat(p.outer()).containsInstanceOf(HoliTomOuter.class);
        assertThat(p.layers()).hasSize(1);
        assertThat(p.cache()).containsInstanceOf(VisualTokenAnnealing.class);
        ReductionPlan q = ReductionPlanParser.parse("visionzip(dominant=54,contextual=10)+fastv(K=2,R=0.5)+pvtp(k0=4,stride=inf,keep=100)");
        assertThat(q.outer()).containsInstanceOf(VisionZip.class);
        assertThat(q.layers()).hasSize(2);
        assertThat(q.stagesBefore(2)).hasSize(1).first().isInstanceOf(FastV.class);
        assertThat(q.stagesBefore(4)).hasSize(1).first().isInstanceOf(ProgressiveVisualTokenPruning.class);
        assertThat(q.stagesBefore(6)).isEmpty();
        VisionZip vz = (VisionZip) ReductionPlanParser.parse("visionzip(spatial=30)").outer().orElseThrow();
        assertThat(vz.dominant()).isEqualTo(25);
        assertThat(vz.contextual()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "holitom", "holitom(r=0.1,tau=0.65,beta=0.6,d=0,knn=7)", "holitom(r=0.15,tau=0.8,beta=0.6,d=0,knn=7,k=18,mr=0.5)",
            "fastv(K=3,R=0.75)", "visionzip(dominant=54,contextual=10)", "pvtp(k0=2,stride=inf,ratio=0.5)", "pvtp(k0=1,stride=1,keep=461/0.5/295,minkeep=0,mode=linear)",
            "vta(floor=0.25,horizon=16,shape=step,score=accumulated,every=2)", "st3", "holitom+vta", "holitom(outer=0,k=3,mr=0.5)+fastv(K=2,R=0.5)"})
    void describeRoundTrips(String text) {
        ReductionPlan p = ReductionPlanParser.parse(text);
        ReductionPlan q = ReductionPlanParser.parse(p.describe());
        assertThat(q.describe()).isEqualTo(p.describe());
    }

    @Test
    void errorsSayWhatIsAccepted() {
        assertError("", "empty reduction plan; accepted: none, or stages joined with '+'");
        assertError("fastvv(K=2)", "unknown method 'fastvv'", "accepted: none, or stages joined with '+': holitom(");
        assertError("fastv(K=2,X=1)", "unknown parameter 'x' for fastv; accepted: K (filtering layer >= 1), R");
        assertError("fastv(K=two)", "fastv k='two' is not an integer");
        assertError("fastv(K=2,R=1.5)", "fastv R=1.5", "[0, 1]");
        assertError("fastv(K=0)", "fastv K=0", ">= 1");
        assertError("fastv(K=2", "missing ')'");
        assertError("fastv(K=2,K=3)", "parameter 'k' given twice");
        assertError("fastv(K)", "parameter 'K' is not key=value");
        assertError("holitom(r=0)", "HoliTom r = 0.0 must be in (0, 1]");
        assertError("holitom(tau=1.5)", "tau = 1.5");
        assertError("holitom(mr=0.5)", "mr (inner merge ratio) needs k");
        assertError("holitom(nobeta=maybe)", "nobeta='maybe' is not a boolean");
        assertError("holitom+visionzip", "two stages before the decoder (holitom and visionzip)");
        assertError("vta+st3", "two decoding-time stages");
        assertError("none+fastv", "'none' cannot be combined");
        assertError("fastv+", "empty stage");
        assertError("vta(shape=square)", "vta shape='square' is not one of [cosine, exponential, linear, step]");
        assertError("pvtp(ratio=0.2,keep=10)", "ratio or keep, not both");
        assertError("pvtp(keep=1.5)", "each entry must be a count >= 1 or a fraction in (0, 1)");
        assertError("visionzip(spatial=30,dominant=2)", "spatial, or dominant and contextual, not both");
        assertError("visionzip(dominant=0,contextual=0)", "not both 0");
        assertError("vta(floor=2)", "vta floor=2.0: must be in [0, 1]");
    }

    @Test
    void layerValidationAgainstTheModel() {
        assertThat(ReductionPlanParser.parse("fastv(K=1,R=0.5)", 2).layers()).hasSize(1);
        assertThatThrownBy(() -> ReductionPlanParser.parse("fastv(K=2,R=0.5)", 2)).isInstanceOf(PlanSyntaxException.class)
                .hasMessage("fastv K=2 but the model has 2 decoder layers (K must be 1..1)");
        assertThatThrownBy(() -> ReductionPlanParser.parse("pvtp(k0=1,stride=1,keep=400/300/200)", 3)).isInstanceOf(PlanSyntaxException.class)
                .hasMessageContaining("the last would be before layer 3 but the model has 3 decoder layers");
        assertThatThrownBy(() -> ReductionPlanParser.parse("st3", 2)).hasMessageContaining("pvtp k0=2 but the model has 2 decoder layers");
        ReductionPlanParser.parse("st3(k0=1,stride=1)", 2);
    }

    static void assertError(String text, String... fragments) {
        var t = assertThatThrownBy(() -> ReductionPlanParser.parse(text)).isInstanceOf(PlanSyntaxException.class).isInstanceOf(IllegalArgumentException.class);
        for (String f : fragments) t.hasMessageContaining(f);
    }
}
