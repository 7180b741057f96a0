# Production image: the web server (gunicorn), the Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/app/var

# Pango for WeasyPrint, Noto CJK for Chinese PDFs, gettext to compile translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN DEBUG=1 python manage.py compilemessages --ignore '.venv/*' \
    && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --system --home /app sanping && mkdir -p /app/var && chown -R sanping /app/var

USER sanping
EXPOSE 8000
CMD ["gunicorn", "sanping.wsgi:application"]
