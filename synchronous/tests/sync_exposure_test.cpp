// The sync build's HTTP front against hostile clients at the connection level (issue 13, CONTRACT
// §3.8): slowloris and slow bodies, a connection flood past --max-connections, a process out of
// file descriptors, a request trickled in past --request-deadline-ms. The user service alone, over
// real sockets on 127.0.0.1; the checks are the async build's too (common/infra/testing/exposure).
#include <gtest/gtest.h>

#include "common/infra/testing/embedded_infra.hpp"
#include "common/infra/testing/exposure.hpp"

namespace flowbench {
namespace {

[[maybe_unused]] auto* const kInfra = testing::RegisterEmbeddedInfra();

const char* const kBinary = "sync-user";

TEST(SyncFront, HealthAnswersWithinASecondThroughSlowloris) {
  testing::ExpectHealthAnswersWithinASecondThroughSlowloris(kBinary);
}

TEST(SyncFront, HealthAnswersWithinASecondThroughSlowBodies) {
  testing::ExpectHealthAnswersWithinASecondThroughSlowBodies(kBinary);
}

TEST(SyncFront, ConnectionsPastTheCapAreRefusedAndTheServiceRecovers) {
  testing::ExpectConnectionsPastTheCapRefused(kBinary);
}

TEST(SyncFront, OutOfFileDescriptorsTheAcceptLoopWaitsInsteadOfSpinning) {
  testing::ExpectAcceptLoopWaitsOutOfFileDescriptors(kBinary);
}

TEST(SyncFront, ARequestTrickledInIsCutOffAtTheDeadline) {
  testing::ExpectTrickledRequestCutOffAtTheDeadline(kBinary);
}

}  // namespace
}  // namespace flowbench
