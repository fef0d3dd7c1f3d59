import base64
import hashlib
import hmac

import pytest

from relay.ingress.signature import SignatureError, sign, verify_signature, wp_specialchars_decode

BODY = b'{"id":4711,"status":"processing","permalink":"https:\\/\\/shop.example.com\\/"}'


def php_signature(body: bytes, secret: str) -> str:
    """What WooCommerce computes: base64_encode(hash_hmac('sha256', body, secret, true))."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_accepts_the_signature_woocommerce_computes() -> None:
    verify_signature(BODY, php_signature(BODY, "s3cret"), "s3cret")


def test_says_which_secret_signed_during_a_rotation() -> None:
    assert verify_signature(BODY, php_signature(BODY, "new"), "new", "old") == "current"
    assert verify_signature(BODY, php_signature(BODY, "old"), "new", "old") == "previous"
    assert verify_signature(BODY, php_signature(BODY, "o&ld"), "new", "o&amp;ld") == "previous"
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(BODY, php_signature(BODY, "older"), "new", "old")
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(BODY, php_signature(BODY, "old"), "new")  # rotation over


def test_sign_matches_woocommerce() -> None:
    assert sign(BODY, "s3cret") == php_signature(BODY, "s3cret")


def test_refuses_a_wrong_secret() -> None:
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(BODY, php_signature(BODY, "other"), "s3cret")


def test_refuses_a_missing_header() -> None:
    with pytest.raises(SignatureError, match="missing"):
        verify_signature(BODY, None, "s3cret")
    with pytest.raises(SignatureError, match="missing"):
        verify_signature(BODY, "", "s3cret")


def test_refuses_a_body_changed_by_one_byte() -> None:
    signature = php_signature(BODY, "s3cret")
    with pytest.raises(SignatureError):
        verify_signature(BODY.replace(b"4711", b"4712"), signature, "s3cret")


def test_refuses_a_reserialized_body() -> None:
    """Unescaping PHP's '\\/' before verifying breaks the signature: verify the raw bytes."""
    signature = php_signature(BODY, "s3cret")
    with pytest.raises(SignatureError):
        verify_signature(BODY.replace(b"\\/", b"/"), signature, "s3cret")


def test_refuses_garbage_and_non_ascii_headers() -> None:
    for header in ("not-base64!!", "ünïcode", php_signature(BODY, "s3cret")[:-4]):
        with pytest.raises(SignatureError):
            verify_signature(BODY, header, "s3cret")


@pytest.mark.parametrize(
    "secret",
    [
        "a&b<c>d;",
        "q\"u'o`te",
        "!@#$%^&*()-_ []{}<>~`+=,.;:/?|",
        "Sécret-ünicode-€",
    ],
)
def test_secrets_with_special_characters(secret: str) -> None:
    verify_signature(BODY, php_signature(BODY, secret), secret)


def test_secret_copied_with_html_entities_matches_the_decoded_key() -> None:
    """WooCommerce signs with wp_specialchars_decode(stored secret) (PR #22722)."""
    stored = "abc&amp;def&lt;ghi&gt;;"
    signature = php_signature(BODY, "abc&def<ghi>;")
    verify_signature(BODY, signature, stored)


def test_wp_specialchars_decode_decodes_only_the_wordpress_set() -> None:
    assert wp_specialchars_decode("&amp;lt; &quot;&#039; &ndash;") == "&lt; \"' &ndash;"
