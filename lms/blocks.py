"""StreamField blocks for module pages."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("gambar"))
    alt_text = blocks.CharBlock(
        label=_("teks alternatif"), max_length=250, help_text=_("Deskripsi gambar untuk pembaca layar.")
    )
    caption = blocks.CharBlock(label=_("keterangan"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"


class VideoBlock(blocks.StructBlock):
    """A video either embedded from a service (YouTube, Vimeo) or uploaded as a document (MP4)."""

    embed = EmbedBlock(label=_("tautan video (YouTube, Vimeo)"), required=False)
    file = DocumentChooserBlock(label=_("atau berkas video (MP4)"), required=False)
    title = blocks.CharBlock(label=_("judul"), max_length=200)
    transcript = blocks.TextBlock(label=_("transkrip"), required=False)

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("embed")) == bool(value.get("file")):
            raise blocks.StructBlockValidationError(
                block_errors={"embed": [_("Isi salah satu: tautan video atau berkas video.")]}
            )
        return value


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("dokumen"))
    description = blocks.CharBlock(label=_("keterangan"), required=False, max_length=250)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"


class CalloutBlock(blocks.StructBlock):
    style = blocks.ChoiceBlock(
        label=_("jenis"),
        choices=[("info", _("Info")), ("tip", _("Tips")), ("warning", _("Perhatian"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("judul"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("teks"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        template = "blocks/callout_block.html"


class H5PActivityBlock(blocks.StructBlock):
    """An H5P activity placed in a module; its block id identifies it in attempts."""

    activity = SnippetChooserBlock("content.H5PActivity", label=_("aktivitas H5P"))
    required = blocks.BooleanBlock(
        label=_("wajib"),
        required=False,
        default=True,
        help_text=_("Aktivitas wajib harus lulus agar modul selesai."),
    )
    pass_mark = blocks.IntegerBlock(
        label=_("nilai lulus (%)"),
        default=70,
        min_value=0,
        max_value=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        icon = "pick"
        label = _("Aktivitas H5P")
        template = "blocks/h5p_activity_block.html"


class ModuleBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("judul bagian"), form_classname="title", icon="title", template="blocks/heading_block.html"
    )
    paragraph = blocks.RichTextBlock(label=_("teks"), icon="pilcrow")
    image = ImageBlock(label=_("gambar"))
    video = VideoBlock(label=_("video"))
    document = DocumentBlock(label=_("dokumen"))
    callout = CalloutBlock(label=_("catatan"))
    h5p_activity = H5PActivityBlock()
