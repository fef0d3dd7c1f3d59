import json

from .common import EXAMPLES, IntegrationCase


class TestContractExamples(IntegrationCase):
    """Every example in docs/schemas/examples (copied here) is accepted and applied."""

    def test_every_example_is_accepted(self):
        paths = sorted(EXAMPLES.glob("*.json"))
        self.assertEqual(len(paths), 24)
        for path in paths:
            with self.subTest(example=path.name):
                answer = self.process(json.loads(path.read_text(encoding="utf-8")))
                self.assertIn(answer["status"], ("processed", "ignored"), answer)
                self.assertIsNone(answer["error"])
